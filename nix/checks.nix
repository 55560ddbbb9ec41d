# `nix flake check`: the packages build; clippy, the test suite and the docs pass, each
# starting from the dependencies crane built once for the package; the tests run against a
# PostgreSQL and an NGINX they start themselves inside the sandbox (as the build user, on
# temporary sockets; cgroups are out of reach there, and the stack says so and runs
# unlimited). NGINX accepts its configuration; each image holds what its entrypoint needs;
# the repository's compose files are in sync and the judge's agree with them; the tree is
# formatted (Nix and Rust) and free of dead Nix code.
{
  pkgs,
  packages,
  formatter,
}: let
  inherit (pkgs) lib;
  inherit (packages.rinha) crate;
  inherit (crate) craneLib commonArgs cargoArtifacts;
  cargoCheck = args: craneLib.${args.check} (commonArgs // {inherit cargoArtifacts;} // removeAttrs args ["check"]);
  images = lib.filterAttrs (name: _: lib.hasPrefix "image-" name) packages;
  # The repository's compose files (compose, compose-2025), each kept under its own name.
  composes = {inherit (packages) compose compose-2025;};
in
  # Every package and image builds (`default` is `rinha` again).
  removeAttrs packages ["default"]
  // {
    clippy = cargoCheck {
      check = "cargoClippy";
      cargoClippyExtraArgs = "--all-targets -- --deny warnings";
    };

    # Everything but the OpenAPI conformance run: schemathesis is not in nixpkgs, and the
    # sandbox cannot reach PyPI; `make test` (and so .ci/run) runs it.
    tests = cargoCheck {
      check = "cargoTest";
      nativeCheckInputs = [pkgs.postgresql_17 pkgs.nginx];
      cargoTestExtraArgs = "--all-targets -- --skip the_stack_conforms_to_its_openapi_document";
    };

    docs = cargoCheck {
      check = "cargoDoc";
      env.RUSTDOCFLAGS = "--deny warnings";
    };

    formatting = formatter.check (lib.fileset.toSource {
      root = ../.;
      fileset = lib.fileset.unions [
        ../flake.nix
        (lib.fileset.fileFilter (file: file.hasExt "nix" || file.hasExt "rs") ../.)
      ];
    });

    nginx-config = pkgs.runCommand "rinha-nginx-config" {nativeBuildInputs = [pkgs.nginx];} ''
      mkdir prefix
      nginx -t -p "$PWD/prefix/" -c ${packages.nginx-conf} -e stderr
      touch $out
    '';

    # Each image unpacked from its own archive: its entrypoint and what that needs are in its
    # layers (symbolic links followed inside the image), /tmp is world-writable with the
    # sticky bit, and its labels name this version.
    images = pkgs.runCommand "rinha-images" {nativeBuildInputs = [pkgs.jq];} (''
        # The path inside ./root that $1 (absolute, in the image) leads to.
        inside() {
          local path=$1 hops=0 target
          while [ -L "root$path" ] && [ "$hops" -lt 20 ]; do
            target=$(readlink "root$path")
            case $target in
              /*) path=$target ;;
              *) path=$(dirname "$path")/$target ;;
            esac
            hops=$((hops + 1))
          done
          printf 'root%s' "$path"
        }
        status=0
        need() {
          [ -e "$(inside "$2")" ] || { echo "$1: $2 is not in the image" >&2; status=1; }
        }
      ''
      + lib.concatStrings (lib.mapAttrsToList (name: image: ''
          mkdir -p ${name}/root && cd ${name}
          ${image} | tar -x
          for layer in $(jq -r '.[0].Layers[]' manifest.json); do tar -xpf "$layer" -C root; done
          config=$(jq -r '.[0].Config' manifest.json)
          entrypoint=$(jq -r '.config.Entrypoint[0]' "$config")
          [ -x "$(inside "$entrypoint")" ] || { echo "${name}: its entrypoint $entrypoint is not in the image" >&2; status=1; }
          ${lib.concatMapStrings (path: "need ${name} ${path}\n") image.needs}
          [ "$(stat -c %a root/tmp)" = 1777 ] || { echo "${name}: /tmp is not world-writable and sticky" >&2; status=1; }
          jq -e '.config.Labels["org.opencontainers.image.version"] == "${image.imageTag}"' "$config" >/dev/null \
            || { echo "${name}: no version label" >&2; status=1; }
          cd ..
        '')
        images)
      + ''
        [ "$status" = 0 ] || exit 1
        touch $out
      '');

    compose-in-sync = pkgs.runCommand "rinha-compose-in-sync" {} ''
      status=0
      ${lib.concatStrings (lib.mapAttrsToList (name: compose: ''
          diff -u ${../. + "/${compose.name}"} ${compose} || {
            echo "${compose.name} is out of date: cp \$(nix build --print-out-paths .#${name}) ${compose.name}"
            status=1
          }
        '')
        composes)}
      [ "$status" = 0 ] || exit 1
      touch $out
    '';

    # The judge's files, rendered for a registry and a tag, name those images and say
    # nothing else than the repository's copies, whose limits the envelope's tests check.
    judge-compose = pkgs.runCommand "rinha-judge-compose" {nativeBuildInputs = [packages.judge-compose];} ''
      judge-compose ghcr.io/example sha-0 judge
      status=0
      ${lib.concatMapStrings (compose: ''
          grep '^ *image:' judge/${compose.name} | grep -v '"ghcr.io/example/rinha-[a-z0-9-]*:sha-0"$' && status=1
          if grep -q '@' judge/${compose.name}; then echo "judge/${compose.name} keeps a placeholder" >&2; status=1; fi
          diff -u <(grep -v -e '^#' -e '^ *image:' ${compose}) <(grep -v -e '^#' -e '^ *image:' judge/${compose.name}) || status=1
        '')
        (lib.attrValues composes)}
      [ "$status" = 0 ] || exit 1
      touch $out
    '';
  }
