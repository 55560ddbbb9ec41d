# `nix flake check`: the packages build, clippy and rustfmt pass, the test suite passes
# against a PostgreSQL and an NGINX it starts itself inside the sandbox (as the build
# user, on temporary sockets; cgroups are out of reach there, and the stack says so and
# runs unlimited), NGINX accepts its configuration, the repository's copies of the compose
# files are in sync, and the Nix files are formatted and free of dead code.
{
  pkgs,
  packages,
}: let
  inherit (pkgs) lib;
  inherit (packages) rinha;
  # Every compose file (compose, compose-2025, and their -ghcr twins), kept in the
  # repository under its own name (docker-compose.yml, …).
  composes = lib.filterAttrs (name: _: lib.hasPrefix "compose" name) packages;
  nixFiles = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.fileFilter (file: file.hasExt "nix") ../.;
  };
  # Reuses the package's vendored crates; only the phase that runs differs.
  cargoCheck = name: extra: command:
    rinha.overrideAttrs (old: {
      pname = "rinha-${name}";
      nativeBuildInputs = old.nativeBuildInputs ++ extra;
      dontCargoBuild = true;
      dontCargoInstall = true;
      buildPhase = ''
        runHook preBuild
        ${command}
        runHook postBuild
      '';
      installPhase = "touch $out";
    });
in
  # Every package and image builds (`default` is `rinha` again).
  removeAttrs packages ["default"]
  // {
    clippy = cargoCheck "clippy" [pkgs.clippy] "cargo clippy --offline --all-targets -- -D warnings";

    rustfmt = cargoCheck "rustfmt" [pkgs.rustfmt] "cargo fmt --check";

    # Everything but the OpenAPI conformance run: schemathesis is not in nixpkgs, and the
    # sandbox cannot reach PyPI; `make test` (and so .ci/run) runs it.
    tests =
      cargoCheck "tests" [pkgs.postgresql_17 pkgs.nginx]
      "cargo test --offline --all-targets -- --skip the_stack_conforms_to_its_openapi_document";

    nginx-config = pkgs.runCommand "rinha-nginx-config" {nativeBuildInputs = [pkgs.nginx];} ''
      mkdir prefix
      nginx -t -p "$PWD/prefix/" -c ${packages.nginx-conf} -e stderr
      touch $out
    '';

    compose-in-sync = pkgs.runCommand "rinha-compose-in-sync" {} ''
      status=0
      ${lib.concatStrings (lib.mapAttrsToList (name: compose: ''
          diff -u ${../. + "/${compose.name}"} ${compose} || {
            echo "${compose.name} is out of date: cp \$(nix build --print-out-paths .#${name}) ${compose.name}"
            status=1
          }
        '')
        composes)}
      [ "$status" = 0 ] || exit 1
      touch $out
    '';

    nix-format = pkgs.runCommand "rinha-nix-format" {nativeBuildInputs = [pkgs.alejandra pkgs.deadnix];} ''
      alejandra --check ${nixFiles}
      deadnix --fail ${nixFiles}
      touch $out
    '';
  }
