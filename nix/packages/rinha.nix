# The `rinha` binary, release profile, over the dependencies `crate` built once. Cargo.lock
# pins every crate (no cargoHash).
{
  crate,
  cargo,
}:
crate.craneLib.buildPackage (crate.commonArgs
  // {
    inherit (crate) cargoArtifacts;
    # The tests start PostgreSQL and NGINX: they run in the `tests` check.
    doCheck = false;
    passthru = {inherit crate;};
    meta = {
      inherit (cargo.package) description;
      mainProgram = "rinha";
    };
  })
