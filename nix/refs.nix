# Bash that checks the registry and the tags a release gives the apps and judge-compose at
# run time, before they reach an image name or a YAML file: a registry such as
# ghcr.io/owner (lower case, as image names must be), tags such as sha-0123abc or 0.1.0.
''
  check_registry() {
    local re='^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$'
    [[ $1 =~ $re ]] || { echo "not a registry (lower case, as ghcr.io/owner): $1" >&2; exit 2; }
  }
  check_tag() {
    local re='^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'
    [[ $1 =~ $re ]] || { echo "not an image tag: $1" >&2; exit 2; }
  }
''
