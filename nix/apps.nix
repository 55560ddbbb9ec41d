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
  forEachImage = f: lib.concatMapStrings f images;
  # The published images are one tag per image over one image per architecture; each
  # architecture's image is pushed first under the first tag with its architecture appended.
  arch = system: (lib.systems.elaborate system).go.GOARCH;
  remote = image: ''"$registry"/${image.imageName}'';
  # The arguments the release gives: where, the repository's URL, then the tags.
  arguments = usage: ''
    ${import ./refs.nix}
    if [ $# -lt 3 ]; then
      echo "usage: ${usage}" >&2
      exit 2
    fi
    registry=$1 source=$2
    shift 2
    check_registry "$registry"
    for tag in "$@"; do check_tag "$tag"; done
  '';
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

  # Run on one machine of each architecture, logged in to the registry. The repository's
  # URL is the one label the flake cannot know: it goes into each image's configuration
  # before the image is streamed, which leaves the layers as they are.
  push-images = app "rinha-push-images" "This architecture's images, labelled with their source, pushed as REGISTRY/rinha-*:TAG-ARCH" [pkgs.jq] (arguments "push-images REGISTRY SOURCE TAG"
    + ''
      conf=$(mktemp)
      trap 'rm -f "$conf"' EXIT
      tag="$1-${arch pkgs.stdenv.hostPlatform.system}"
    ''
    + forEachImage (image: ''
      jq --arg source "$source" '.config.Labels["org.opencontainers.image.source"] = $source' ${image.conf} >"$conf"
      ${image.streamScript} "$conf" | docker load
      docker tag ${lib.escapeShellArg "${image.imageName}:${image.imageTag}"} ${remote image}:"$tag"
      docker push ${remote image}:"$tag"
    ''));

  # Then once: every tag of every image, each over both architectures, the index annotated
  # with the images' labels and the source, which links the package to the repository.
  push-manifests = app "rinha-push-manifests" "Each image's tags over both architectures, from the pushed ones" [] (arguments "push-manifests REGISTRY SOURCE TAG [TAG…]"
    + forEachImage (image: ''
      tags=()
      for tag in "$@"; do tags+=(--tag ${remote image}:"$tag"); done
      docker buildx imagetools create "''${tags[@]}" \
        --annotation "index:org.opencontainers.image.source=$source" \
        ${lib.concatStringsSep " " (lib.mapAttrsToList (k: v: lib.escapeShellArg "--annotation=index:${k}=${v}") image.labels)} \
        ${lib.concatMapStringsSep " " (system: "${remote image}:\"$1-${arch system}\"") systems}
    ''));

  default = stack;
}
