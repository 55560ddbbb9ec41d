# `nix develop`: the toolchain, the services the tests and the stack start, and the Nix
# formatter and linter that CI runs.
{pkgs}:
pkgs.mkShell {
  packages = with pkgs; [
    cargo
    rustc
    clippy
    rustfmt
    postgresql_17
    nginx
    k6
    alejandra
    deadnix
  ];
}
