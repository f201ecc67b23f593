# Shared environment for ./zkm, .ci/run and the build scripts: finds Java 17 and libjsig, Go on PATH.
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
export JAVA_HOME
export ZKM_JSIG="$JAVA_HOME/lib/libjsig.so"
if [ ! -f "$ZKM_JSIG" ]; then
  echo "zkm: $ZKM_JSIG not found: a JDK 17 with libjsig is required" >&2
  exit 2
fi
case ":$PATH:" in
  *:/usr/local/go/bin:*) ;;
  *) [ -d /usr/local/go/bin ] && export PATH="/usr/local/go/bin:$PATH" ;;
esac
