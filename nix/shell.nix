# `nix develop`: what the checks build with (crane gathers their inputs: cargo, clippy,
# PostgreSQL, NGINX), plus rustfmt, k6 for the benchmarks and `nix fmt`'s treefmt.
{
  pkgs,
  checks,
  packages,
  formatter,
}:
packages.rinha.crate.craneLib.devShell {
  inherit checks;
  packages = with pkgs; [
    rustfmt
    k6
    deadnix
    formatter
  ];
}
