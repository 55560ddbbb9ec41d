{
  description = "rinha: the Rinha de Backend 2024/Q1 bank and 2025 payment intermediary as a reproducible appliance";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    # Cargo builds in layers: the dependencies once, shared by the package and every check.
    crane.url = "github:ipetkov/crane";
  };

  outputs = {
    self,
    nixpkgs,
    crane,
  }: let
    systems = ["x86_64-linux" "aarch64-linux"];
    forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    own = output: pkgs: self.${output}.${pkgs.stdenv.hostPlatform.system};
  in {
    packages = forAllSystems (pkgs:
      import ./nix/packages {
        inherit pkgs self;
        craneLib = crane.mkLib pkgs;
      });

    apps = forAllSystems (pkgs:
      import ./nix/apps.nix {
        inherit pkgs systems;
        packages = own "packages" pkgs;
      });

    checks = forAllSystems (pkgs:
      import ./nix/checks.nix {
        inherit pkgs;
        packages = own "packages" pkgs;
        formatter = own "formatter" pkgs;
      });

    devShells = forAllSystems (pkgs: {
      default = import ./nix/shell.nix {
        checks = own "checks" pkgs;
        inherit pkgs;
        packages = own "packages" pkgs;
        formatter = own "formatter" pkgs;
      };
    });

    formatter = forAllSystems (pkgs: import ./nix/formatter.nix {inherit pkgs;});
  };
}
