# The OCI images, streamed by a script (`./result | docker load`) rather than stored.
# Minimal closures, numeric non-root users (fakeNss gives `nobody` a passwd entry, which
# PostgreSQL insists on), and every date fixed (files at the epoch, the image created when
# the flake's last commit was), so the same inputs give the same digest.
#
# What each entrypoint runs, and what that needs besides itself (`needs`, which the `images`
# check looks for in the image's own layers):
# - api: `rinha serve` (its command, which 2025's compose file makes `balance` for the
#   balancer), nothing else.
# - nginx: NGINX with /tmp/ as its prefix (pid file, temporary files) and its log on stderr.
# - postgres, postgres-2025: rinha-postgres, a bash script (bash comes in by store path),
#   which runs initdb, pg_ctl, psql and then execs postgres. initdb runs its bootstrap
#   backend through popen(), and pg_ctl starts the server with `/bin/sh -c exec …`: both
#   need /bin/sh, which the closure's bash is not. dockerTools.binSh links it there.
#
# One API image and one NGINX image serve both editions (the compose file sets the API's
# RINHA_EDITION); PostgreSQL has one image per edition, each with its own schema. The
# registry, the tags and the `source` label are the release's, given at run time
# (nix/apps.nix); everything else about an image is here.
{
  lib,
  dockerTools,
  runCommand,
  nginx,
  rinha,
  nginx-conf,
  postgres,
  postgres-2025,
  version,
  provenance,
}: let
  nobody = "65534:65534";
  # A world-writable /tmp: PostgreSQL's data and NGINX's temporary files go there.
  withTmp = "mkdir -m 1777 tmp";
  image = name: {
    description,
    config,
    needs ? [],
    contents ? [],
  }:
    lib.fix (self: let
      labels = {
        "org.opencontainers.image.title" = "rinha-${name}";
        "org.opencontainers.image.description" = description;
        "org.opencontainers.image.version" = version;
        "org.opencontainers.image.revision" = provenance.revision;
        "org.opencontainers.image.created" = provenance.created;
        "org.opencontainers.image.licenses" = provenance.license;
      };
    in
      dockerTools.streamLayeredImage {
        name = "rinha-${name}";
        tag = version;
        contents = [dockerTools.fakeNss] ++ contents;
        extraCommands = withTmp;
        inherit (provenance) created;
        config =
          config
          // {
            User = nobody;
            Labels = labels;
          };
        passthru = {
          # The release annotates each image's index with them too.
          inherit labels;
          needs = ["/tmp" "/etc/passwd"] ++ needs;
          # The whole image in one file, which `nix build --rebuild` can make again and
          # compare: every layer and the configuration.
          tarball = runCommand "rinha-${name}.tar" {} "${self} > $out";
        };
      });
  database = name: start:
    image name {
      description = "PostgreSQL 17 with rinha's configuration and the ${start.edition} edition's schema";
      config = {
        Entrypoint = [(lib.getExe start)];
        Env = ["PGDATA=/tmp/pgdata" "RINHA_SOCKET_DIR=/run/rinha"];
      };
      contents = [dockerTools.binSh];
      needs = ["/bin/sh"];
    };
in {
  api = image "api" {
    description = "rinha serve: one API instance of either edition (RINHA_EDITION); rinha balance: 2025's balancer";
    config.Entrypoint = [(lib.getExe rinha)];
    config.Cmd = ["serve"];
    config.Env = [
      "RINHA_LISTEN=unix:/run/rinha/api.sock"
      "DATABASE_URL=host=/run/rinha user=rinha dbname=rinha"
    ];
  };

  nginx = image "nginx" {
    description = "NGINX in front of rinha's two API instances, on port 9999";
    config.Entrypoint = [(lib.getExe nginx) "-p" "/tmp/" "-c" "${nginx-conf}" "-e" "stderr"];
    config.ExposedPorts."9999/tcp" = {};
  };

  postgres = database "postgres" postgres;
  postgres-2025 = database "postgres-2025" postgres-2025;
}
