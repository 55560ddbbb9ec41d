# Every package of the flake, one file each; `envelopes`, `version`, `registry` and `script`
# are shared. The bank (2024/Q1) keeps the names it always had; the payments (2025) add the
# suffix -2025 where a package differs by edition: PostgreSQL, its image, the compose files.
{pkgs}: let
  inherit (pkgs) lib;
  envelopes = import ../envelope.nix {inherit lib;};
  version = (lib.importTOML ../../Cargo.toml).package.version;
  # Where the release workflow publishes the images: ghcr.io/<the repository's owner>, in
  # lower case (the workflow refuses to publish anywhere else).
  registry = "ghcr.io/OWNER";
  script = pkgs.callPackage ../script.nix {};
  callPackage = lib.callPackageWith (pkgs // packages // {inherit envelopes version registry script;});
  images = callPackage ./images.nix {};

  # The compose files of one edition: the local images' and the published ones'.
  composes = edition: suffix: let
    compose = name: file: published:
      lib.nameValuePair name (callPackage ./compose.nix {
        inherit name file edition published;
        images = {
          inherit (images) api nginx;
          postgres = images."postgres${suffix}";
        };
      });
  in
    lib.listToAttrs [
      (compose "compose${suffix}" "docker-compose${suffix}.yml" false)
      (compose "compose${suffix}-ghcr" "docker-compose${suffix}.ghcr.yml" true)
    ];

  packages =
    {
      default = packages.rinha;
      rinha = callPackage ./rinha.nix {};
      nginx-conf = callPackage ./nginx-conf.nix {};
      postgres = callPackage ./postgres.nix {
        edition = "bank";
        suffix = "";
      };
      postgres-2025 = callPackage ./postgres.nix {
        edition = "payments";
        suffix = "-2025";
      };
      image-api = images.api;
      image-nginx = images.nginx;
      image-postgres = images.postgres;
      image-postgres-2025 = images.postgres-2025;
    }
    // composes "bank" ""
    // composes "payments" "-2025";
in
  packages
