# nginx/nginx.conf filled in for the images: port 9999, one upstream server per API
# instance on the sockets volume (/run/rinha), as docker-compose.yml mounts it.
{
  lib,
  writeText,
  envelope,
}:
writeText "nginx.conf" (
  builtins.replaceStrings ["@port@" "@servers@"] [
    "9999"
    (lib.concatMapStringsSep "\n" (api: "        server unix:/run/rinha/${api}.sock;") envelope.apiNames)
  ] (builtins.readFile ../../nginx/nginx.conf)
)
