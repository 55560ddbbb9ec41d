# PostgreSQL 17 for one edition, contest profile: `rinha-postgres` (the bank) or
# `rinha-postgres-2025` (the payments) makes a fresh cluster in $PGDATA, loads the edition's
# sql/ on a private socket, then serves on the sockets volume. The tuned postgresql.conf is
# the editions' shared one and includes profile.conf from its own directory, so both sit
# side by side.
{
  lib,
  coreutils,
  postgresql_17,
  runCommand,
  script,
  edition,
  suffix,
}: let
  sql = ../../sql + "/${edition}";
  # The edition's numbered scripts (sql/bank/01-schema.sql, …) in order, then its contest
  # profile numbered after them, so that one glob loads everything in order.
  scripts = lib.filter (f: builtins.match "0.*[.]sql" f != null) (lib.attrNames (builtins.readDir sql));
  files =
    map (f: {
      src = sql + "/${f}";
      dest = f;
    })
    scripts
    ++ [
      {
        src = sql + "/profiles/contest.sql";
        dest = "${lib.fixedWidthNumber 2 (lib.length scripts + 1)}-profile.sql";
      }
    ];
  share = runCommand "rinha-postgres${suffix}-share" {} (''
      mkdir -p $out
      cp ${../../sql/postgresql.conf} $out/postgresql.conf
      cp ${../../sql/profiles/contest.conf} $out/profile.conf
    ''
    + lib.concatMapStrings (f: "cp ${f.src} $out/${f.dest}\n") files);
in
  script {
    name = "rinha-postgres${suffix}";
    runtimeInputs = [coreutils postgresql_17];
    passthru = {inherit share edition;};
    text = ''
      data=''${PGDATA:-/tmp/pgdata}
      sockets=''${RINHA_SOCKET_DIR:-/run/rinha}
      init=$(mktemp -d)

      rm -rf "$data"
      initdb -D "$data" -U rinha --auth=trust --encoding=UTF8 --locale=C --no-sync >/dev/null
      # The schema goes in before anyone can connect: on a private socket, no TCP.
      pg_ctl -D "$data" -w -o "-c config_file=${share}/postgresql.conf -k $init" start >/dev/null
      psql -h "$init" -U rinha -d postgres -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE rinha'
      for script in ${share}/0*.sql; do
        psql -h "$init" -U rinha -d rinha -v ON_ERROR_STOP=1 -q -f "$script"
      done
      pg_ctl -D "$data" -w -m fast stop >/dev/null

      exec postgres -D "$data" -c config_file=${share}/postgresql.conf -k "$sockets"
    '';
    meta.description = "PostgreSQL 17 with rinha's configuration and the ${edition} edition's schema (contest profile)";
  }
