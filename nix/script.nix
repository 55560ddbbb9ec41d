# writeShellApplication (strict mode, runtimeInputs on PATH) with `bash -n` as its check
# instead of shellcheck: shellcheck is a Haskell program, and the offline nixpkgs snapshot
# that evaluates this flake on machines without the binary cache has no Haskell packages.
{
  writeShellApplication,
  stdenv,
}: args:
writeShellApplication (args
  // {
    checkPhase = ''
      runHook preCheck
      ${stdenv.shellDryRun} "$target"
      runHook postCheck
    '';
  })
