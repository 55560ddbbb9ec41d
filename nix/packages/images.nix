# The OCI images, streamed by a script (`./result | docker load`) rather than stored.
# Minimal closures, numeric non-root users (fakeNss gives `nobody` a passwd entry, which
# PostgreSQL insists on), and the fixed creation date streamLayeredImage defaults to, so
# the same inputs give the same digest. Only the PostgreSQL image carries a shell: its
# start-up script needs one.
{
  lib,
  dockerTools,
  nginx,
  rinha,
  nginx-conf,
  postgres,
  version,
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

  postgres = image "postgres" {
    Entrypoint = [(lib.getExe postgres)];
    Env = ["PGDATA=/tmp/pgdata" "RINHA_SOCKET_DIR=/run/rinha"];
  };
}
