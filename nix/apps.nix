# `nix run .#stack`, `.#bench` and `.#load-images`. The launchers get the Nix-built
# PostgreSQL, NGINX and k6 on their PATH, which is where `rinha` looks first.
{
  pkgs,
  packages,
}: let
  inherit (pkgs) lib;
  script = pkgs.callPackage ./script.nix {};
  app = name: description: runtimeInputs: text: {
    type = "app";
    program = lib.getExe (script {inherit name runtimeInputs text;});
    meta = {inherit description;};
  };
  tools = [packages.rinha pkgs.postgresql_17 pkgs.nginx pkgs.k6];
  images = [packages.image-api packages.image-nginx packages.image-postgres];
in rec {
  stack = app "rinha-stack" "The stack on port 9999 inside its envelope" tools ''
    exec rinha stack "$@"
  '';

  bench = app "rinha-bench" "The stack, then a k6 scenario against it, with reports" tools ''
    exec rinha bench "$@"
  '';

  # Uses the machine's own Docker, which Nix cannot provide.
  load-images = app "rinha-load-images" "Every image streamed into docker load" [] ''
    for image in ${lib.escapeShellArgs images}; do
      "$image" | docker load
    done
  '';

  default = stack;
}
