# The crate as crane builds it: its source (only what the build and the tests read, so that
# editing docs or Nix files rebuilds nothing), the arguments every cargo derivation shares,
# and the dependencies compiled once (`buildDepsOnly`, from Cargo.toml and Cargo.lock alone),
# which the package and the clippy, test and doc checks all start from. Everything builds
# with the release profile, the one the package needs, so that one set of artifacts serves.
{
  lib,
  craneLib,
}: let
  commonArgs = {
    src = lib.fileset.toSource {
      root = ../..;
      fileset = lib.fileset.unions [
        ../../Cargo.toml
        ../../Cargo.lock
        # Names the commit where git can tell; a Nix build has no .git and sets nothing.
        ../../build.rs
        ../../src
        ../../tests
        ../../sql
        ../../nginx
        ../../k6
        # The envelope's tests read the local compose files.
        ../../docker-compose.yml
        ../../docker-compose-2025.yml
        ../../fuzz/corpus
      ];
    };
    strictDeps = true;
  };
in {
  inherit craneLib commonArgs;
  cargoArtifacts = craneLib.buildDepsOnly commonArgs;
}
