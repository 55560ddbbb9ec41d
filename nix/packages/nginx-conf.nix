# nginx/nginx.conf filled in for the images: port 9999, one upstream server per API
# instance on the sockets volume (/run/rinha), as the compose files mount it. Both editions
# run the same instances (api1, api2), so one configuration, and one image, serves both;
# should their envelopes ever differ in that, evaluation stops here rather than ship an
# NGINX that misses an instance.
{
  lib,
  writeText,
  envelopes,
}: let
  inherit (envelopes.bank) apiNames;
in
  assert lib.assertMsg (envelopes.payments.apiNames == apiNames)
  "src/tools/stack/envelope.toml: the editions' API instances differ; nginx-conf serves one list";
    writeText "nginx.conf" (
      builtins.replaceStrings ["@port@" "@servers@"] [
        "9999"
        (lib.concatMapStringsSep "\n" (api: "        server unix:/run/rinha/${api}.sock;") apiNames)
      ] (builtins.readFile ../../nginx/nginx.conf)
    )
