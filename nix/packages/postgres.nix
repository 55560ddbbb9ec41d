# PostgreSQL 17 for rinha, contest profile: `rinha-postgres` makes a fresh cluster in
# $PGDATA, loads sql/ on a private socket, then serves on the sockets volume. The tuned
# postgresql.conf includes profile.conf from its own directory, so both sit side by side.
{
  coreutils,
  postgresql_17,
  runCommand,
  script,
}: let
  share = runCommand "rinha-postgres-share" {} ''
    mkdir -p $out
    cp ${../../sql/postgresql.conf} $out/postgresql.conf
    cp ${../../sql/profiles/contest.conf} $out/profile.conf
    cp ${../../sql/bank/01-schema.sql} $out/01-schema.sql
    cp ${../../sql/bank/02-seed.sql} $out/02-seed.sql
    cp ${../../sql/bank/profiles/contest.sql} $out/03-profile.sql
  '';
in
  script {
    name = "rinha-postgres";
    runtimeInputs = [coreutils postgresql_17];
    passthru = {inherit share;};
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
    meta.description = "PostgreSQL 17 with rinha's configuration and schema (contest profile)";
  }
