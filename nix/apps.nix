# `nix run .#stack`, `.#bench`, `.#load-images`, and the release's `.#push-images` and
# `.#push-manifests`. The launchers get the Nix-built PostgreSQL, NGINX and k6 on their
# PATH, which is where `rinha` looks first; they pass their arguments on, so
# `nix run .#stack -- --edition 2025` runs the payments' stack.
{
  pkgs,
  packages,
  systems,
}: let
  inherit (pkgs) lib;
  script = pkgs.callPackage ./script.nix {};
  app = name: description: runtimeInputs: text: {
    type = "app";
    program = lib.getExe (script {inherit name runtimeInputs text;});
    meta = {inherit description;};
  };
  tools = [packages.rinha pkgs.postgresql_17 pkgs.nginx pkgs.k6];
  # Both editions' images: the shared API and NGINX, and each edition's PostgreSQL.
  images = lib.attrValues (lib.filterAttrs (name: _: lib.hasPrefix "image-" name) packages);
  local = image: lib.escapeShellArg "${image.imageName}:${image.imageTag}";
  # The published images are one tag per image over one image per architecture; each
  # architecture's image is pushed first under the tag with its architecture appended.
  arch = system: (lib.systems.elaborate system).go.GOARCH;
  published = image: system: lib.escapeShellArg "${image.published}-${arch system}";
  forEachImage = f: lib.concatMapStrings f images;
in rec {
  stack = app "rinha-stack" "The stack on port 9999 inside its envelope (--edition 2024q1 or 2025)" tools ''
    exec rinha stack "$@"
  '';

  bench = app "rinha-bench" "The stack, then a k6 scenario against it, with reports (--edition 2024q1 or 2025)" tools ''
    exec rinha bench "$@"
  '';

  # These three use the machine's own Docker, which Nix cannot provide.
  load-images = app "rinha-load-images" "Both editions' images streamed into docker load" [] ''
    for image in ${lib.escapeShellArgs images}; do
      "$image" | docker load
    done
  '';

  # Run on one machine of each architecture, logged in to the registry.
  push-images = app "rinha-push-images" "This architecture's images pushed to the registry" [] (forEachImage (image: ''
    "${image}" | docker load
    docker tag ${local image} ${published image pkgs.stdenv.hostPlatform.system}
    docker push ${published image pkgs.stdenv.hostPlatform.system}
  ''));

  # Then once: the tag that the *.ghcr.yml compose files name, for every architecture.
  push-manifests = app "rinha-push-manifests" "One multi-architecture tag per image, from the pushed ones" [] (forEachImage (image: ''
    docker buildx imagetools create --tag ${lib.escapeShellArg image.published} ${lib.concatMapStringsSep " " (published image) systems}
  ''));

  default = stack;
}
