# The resource envelopes of src/tools/stack/envelope.toml, the one definition that `rinha stack`
# enforces with cgroups: here they become the compose files' limits and the NGINX upstreams.
# The service in front of the instances is named as its section: `nginx` (the bank),
# `balancer` (2025, `rinha balance`).
# One attribute per edition, named as the TOML's sections (and sql/, k6/): `bank` (2024/Q1)
# and `payments` (2025).
{lib}: let
  edition = envelope: let
    instances = lib.range 1 envelope.api.instances;
    front =
      if envelope ? balancer
      then "balancer"
      else "nginx";
  in {
    inherit (envelope) budget;

    # Every service with its limits, in start order, as `rinha stack` lists them.
    services =
      [
        {
          name = "postgres";
          inherit (envelope.postgres) cpus memory_mb;
        }
      ]
      ++ map (n: {
        name = "api${toString n}";
        inherit (envelope.api) cpus memory_mb;
      })
      instances
      ++ [
        {
          name = front;
          inherit (envelope.${front}) cpus memory_mb;
        }
      ];

    apiNames = map (n: "api${toString n}") instances;
  };
in
  lib.mapAttrs (_: edition) (lib.importTOML ../src/tools/stack/envelope.toml)
