# `nix flake check`: the packages build, clippy and rustfmt pass, the test suite passes
# against a PostgreSQL and an NGINX it starts itself inside the sandbox (as the build
# user, on temporary sockets; cgroups are out of reach there, and the stack says so and
# runs unlimited), NGINX accepts its configuration, the compose copy is in sync, and the
# Nix files are formatted and free of dead code.
{
  pkgs,
  packages,
}: let
  inherit (pkgs) lib;
  inherit (packages) rinha;
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
in {
  inherit (packages) rinha nginx-conf postgres compose image-api image-nginx image-postgres;

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
    diff -u ${../docker-compose.yml} ${packages.compose} || {
      echo "docker-compose.yml is out of date: cp \$(nix build --print-out-paths .#compose) docker-compose.yml"
      exit 1
    }
    touch $out
  '';

  nix-format = pkgs.runCommand "rinha-nix-format" {nativeBuildInputs = [pkgs.alejandra pkgs.deadnix];} ''
    alejandra --check ${nixFiles}
    deadnix --fail ${nixFiles}
    touch $out
  '';
}
