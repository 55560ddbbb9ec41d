# The OCI images, streamed by a script (`./result | docker load`) rather than stored.
# Minimal closures, numeric non-root users (fakeNss gives `nobody` a passwd entry, which
# PostgreSQL insists on), and the fixed creation date streamLayeredImage defaults to, so
# the same inputs give the same digest. Only the PostgreSQL images carry a shell: their
# start-up script needs one.
#
# One API image and one NGINX image serve both editions (the compose file sets the API's
# RINHA_EDITION); PostgreSQL has one image per edition, each with its own schema. Each
# image also knows its name on the registry (`published`), where the release workflow
# pushes it and the *.ghcr.yml compose files pull it from.
{
  lib,
  dockerTools,
  nginx,
  rinha,
  nginx-conf,
  postgres,
  postgres-2025,
  version,
  registry,
}: let
  nobody = "65534:65534";
  # A world-writable /tmp: PostgreSQL's data and NGINX's temporary files go there.
  withTmp = "mkdir -m 1777 tmp";
  image = name: config:
    dockerTools.streamLayeredImage {
      name = "rinha-${name}";
      tag = version;
      contents = [dockerTools.fakeNss];
      extraCommands = withTmp;
      config = config // {User = nobody;};
      passthru.published = "${registry}/rinha-${name}:${version}";
    };
  database = name: start:
    image name {
      Entrypoint = [(lib.getExe start)];
      Env = ["PGDATA=/tmp/pgdata" "RINHA_SOCKET_DIR=/run/rinha"];
    };
in {
  api = image "api" {
    Entrypoint = [(lib.getExe rinha) "serve"];
    Env = [
      "RINHA_LISTEN=unix:/run/rinha/api.sock"
      "DATABASE_URL=host=/run/rinha user=rinha dbname=rinha"
    ];
  };

  nginx = image "nginx" {
    Entrypoint = [(lib.getExe nginx) "-p" "/tmp/" "-c" "${nginx-conf}" "-e" "stderr"];
    ExposedPorts."9999/tcp" = {};
  };

  postgres = database "postgres" postgres;
  postgres-2025 = database "postgres-2025" postgres-2025;
}
