# The resource envelope of src/stack/envelope.toml, the one definition that `rinha stack`
# enforces with cgroups: here it becomes the compose file's limits and the NGINX upstreams.
{lib}: let
  envelope = lib.importTOML ../src/stack/envelope.toml;
  instances = lib.range 1 envelope.api.instances;
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
        name = "nginx";
        inherit (envelope.nginx) cpus memory_mb;
      }
    ];

  apiNames = map (n: "api${toString n}") instances;
}
