# Every package of the flake, one file each; `envelope` and `version` are shared.
{pkgs}: let
  inherit (pkgs) lib;
  envelope = import ../envelope.nix {inherit lib;};
  version = (lib.importTOML ../../Cargo.toml).package.version;
  script = pkgs.callPackage ../script.nix {};
  callPackage = lib.callPackageWith (pkgs // packages // {inherit envelope version script;});
  packages = {
    default = packages.rinha;
    rinha = callPackage ./rinha.nix {};
    nginx-conf = callPackage ./nginx-conf.nix {};
    postgres = callPackage ./postgres.nix {};
    compose = callPackage ./compose.nix {};
    image-api = packages.images.api;
    image-nginx = packages.images.nginx;
    image-postgres = packages.images.postgres;
    images = callPackage ./images.nix {};
  };
in
  removeAttrs packages ["images"]
