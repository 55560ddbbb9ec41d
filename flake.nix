{
  description = "rinha: the Rinha de Backend 2024/Q1 bank and 2025 payment intermediary as a reproducible appliance";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = {
    self,
    nixpkgs,
  }: let
    systems = ["x86_64-linux" "aarch64-linux"];
    forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
  in {
    packages = forAllSystems (pkgs: import ./nix/packages {inherit pkgs;});

    apps = forAllSystems (pkgs:
      import ./nix/apps.nix {
        inherit pkgs systems;
        packages = self.packages.${pkgs.stdenv.hostPlatform.system};
      });

    checks = forAllSystems (pkgs:
      import ./nix/checks.nix {
        inherit pkgs;
        packages = self.packages.${pkgs.stdenv.hostPlatform.system};
      });

    devShells = forAllSystems (pkgs: {default = import ./nix/shell.nix {inherit pkgs;};});

    formatter = forAllSystems (pkgs: pkgs.alejandra);
  };
}
