# A contest-format compose file for one edition, as text, every limit taken from that
# edition's envelope in src/tools/stack/envelope.toml. `images` names the three images ({api,
# nginx, postgres}); `preface` gives the first lines of its header from the command that
# starts it. default.nix makes two kinds: the repository's docker-compose*.yml, naming the
# images `nix run .#load-images` loads, and the judge's, naming the published images of one
# registry and tag (judge-compose). The service in front of the instances is the edition's
# envelope's: NGINX for the bank, `rinha balance` for 2025.
# The services meet on one tmpfs volume of Unix sockets (/run/rinha), owned by `nobody`.
{
  lib,
  envelopes,
}: {
  edition,
  file,
  images,
  preface,
}: let
  envelope = envelopes.${edition};
  payments = edition == "payments";
  sockets = ["sockets:/run/rinha"];
  deploy = s: {
    resources.limits = {
      cpus = builtins.toJSON s.cpus;
      memory = "${toString s.memory_mb}MB";
    };
  };
  inbox = name: "/run/rinha/${name}.inbox";
  special = {
    postgres.image = images.postgres;
    nginx = {
      image = images.nginx;
      ports = ["9999:9999"];
      depends_on = envelope.apiNames;
    };
    # 2025: `rinha balance` (the API image's other command) hands each connection whole to
    # an instance, through the inbox the instance reads on the sockets' volume.
    balancer = {
      image = images.api;
      command = ["balance"];
      environment.RINHA_BALANCE_TO = lib.concatMapStringsSep "," inbox envelope.apiNames;
      ports = ["9999:9999"];
      depends_on = envelope.apiNames;
    };
  };
  # The payments' instances also reach the two payment processors, which run outside the
  # envelope, on the contest's external network, under these names (the spec's topology).
  api = name:
    {
      image = images.api;
      environment =
        {RINHA_LISTEN = "unix:/run/rinha/${name}.sock";}
        // lib.optionalAttrs payments {
          RINHA_EDITION = "2025";
          RINHA_HANDOFF = inbox name;
          # Each payment is written here before its 202; an instance replays what one that
          # died left (`rinha serve --journal`).
          RINHA_JOURNAL = "/run/rinha/journal";
          PAYMENT_PROCESSOR_URL_DEFAULT = "http://payment-processor-default:8080";
          PAYMENT_PROCESSOR_URL_FALLBACK = "http://payment-processor-fallback:8080";
        };
      depends_on = ["postgres"];
    }
    // lib.optionalAttrs payments {networks = ["default" "payment-processor"];};
  services = lib.listToAttrs (map (s: {
      inherit (s) name;
      value =
        (special.${s.name} or (api s.name))
        // {
          volumes = sockets;
          deploy = deploy s;
        };
    })
    envelope.services);
  compose =
    {
      name = "rinha${lib.optionalString payments "-2025"}";
      inherit services;
      volumes.sockets.driver_opts = {
        type = "tmpfs";
        device = "tmpfs";
        o = "uid=65534,gid=65534,mode=0755";
      };
    }
    // lib.optionalAttrs payments {
      # The contest asks for bridge networking; the processors' network is theirs.
      networks = {
        default.driver = "bridge";
        payment-processor.external = true;
      };
    };

  up = "docker compose${lib.optionalString (file != "docker-compose.yml") " -f ${file}"} up";
  header =
    preface up
    ++ lib.optional payments
    "The payment processors come first: their compose file makes the `payment-processor` network.";

  # YAML for nested attribute sets, lists of strings and strings; keys come out sorted.
  # Strings are written as JSON strings, which YAML reads as they are.
  yaml = indent: value:
    lib.concatStrings (lib.mapAttrsToList (key: v:
      if builtins.isAttrs v
      then "${indent}${key}:\n${yaml "${indent}  " v}"
      else if builtins.isList v
      then "${indent}${key}:\n${lib.concatMapStrings (item: "${indent}  - ${builtins.toJSON item}\n") v}"
      else "${indent}${key}: ${builtins.toJSON v}\n")
    value);
in
  lib.concatMapStrings (line: "# ${line}\n") header + yaml "" compose
