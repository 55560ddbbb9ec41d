# `nix fmt` and the `formatting` check: treefmt over the whole tree. Since Nix 2.25 `nix fmt`
# passes the formatter no path, and a bare alejandra then reads standard input and waits;
# treefmt walks the tree itself (the files git knows, from the directory that holds
# flake.nix). deadnix first (it removes dead code), then alejandra, and rustfmt for the
# Rust files, with the crates' edition as `cargo fmt` would pass it. This is nixpkgs' own
# treefmt wrapper, so it needs no flake input; `.check` gives the check.
{pkgs}:
pkgs.treefmt.withConfig {
  name = "rinha-fmt";
  runtimeInputs = with pkgs; [alejandra deadnix rustfmt];
  settings = {
    tree-root-file = "flake.nix";
    on-unmatched = "debug";
    formatter = {
      deadnix = {
        command = "deadnix";
        options = ["--edit"];
        includes = ["*.nix"];
        priority = 1;
      };
      alejandra = {
        command = "alejandra";
        options = ["--quiet"];
        includes = ["*.nix"];
        priority = 2;
      };
      rustfmt = {
        command = "rustfmt";
        options = ["--edition" "2024"];
        includes = ["*.rs"];
      };
    };
  };
}
