# The `rinha` binary, release profile. Cargo.lock pins every crate (no cargoHash); the
# source is only what the build reads, so editing docs or Nix files does not rebuild it.
{
  lib,
  rustPlatform,
  version,
}:
rustPlatform.buildRustPackage {
  pname = "rinha";
  inherit version;
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
  cargoLock.lockFile = ../../Cargo.lock;
  # The tests start PostgreSQL and NGINX: they run in the `tests` check.
  doCheck = false;
  meta = {
    description = "The Rinha de Backend 2024/Q1 bank and 2025 payment intermediary: API server, stack launcher and benchmark";
    mainProgram = "rinha";
  };
}
