# Source me: the environment every newsarchive command and Airflow component runs in.
# Generates this machine's Airflow secrets once into $AIRFLOW_HOME (ignored by git, never logged).
NEWSARCHIVE_HOME="${NEWSARCHIVE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export NEWSARCHIVE_HOME
export AIRFLOW_HOME="${AIRFLOW_HOME:-$NEWSARCHIVE_HOME/.airflow}"
export AIRFLOW_CONFIG="${AIRFLOW_CONFIG:-$NEWSARCHIVE_HOME/airflow.cfg}"
export NEWSARCHIVE_AIRFLOW_PORT="${NEWSARCHIVE_AIRFLOW_PORT:-8080}"
export NEWSARCHIVE_DEMO_PORT="${NEWSARCHIVE_DEMO_PORT:-8765}"
export PATH="$NEWSARCHIVE_HOME/.venv/bin:$PATH"
mkdir -p "$AIRFLOW_HOME"
_secret() {  # _secret FILE BYTES: a random secret kept in $AIRFLOW_HOME, made once, readable by its owner only
  if [ ! -s "$AIRFLOW_HOME/$1" ]; then
    (umask 077; python3 -c "import secrets,sys; print(secrets.token_urlsafe(int(sys.argv[1])))" "$2" >"$AIRFLOW_HOME/$1")
  fi
  cat "$AIRFLOW_HOME/$1"
}
export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW__API_AUTH__JWT_SECRET:-$(_secret .jwt_secret 64)}"
export AIRFLOW__API__SECRET_KEY="${AIRFLOW__API__SECRET_KEY:-$(_secret .api_secret_key 32)}"
if [ -z "${AIRFLOW__CORE__FERNET_KEY:-}" ]; then
  if [ ! -s "$AIRFLOW_HOME/.fernet_key" ]; then
    (umask 077; python3 -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" >"$AIRFLOW_HOME/.fernet_key")
  fi
  AIRFLOW__CORE__FERNET_KEY="$(cat "$AIRFLOW_HOME/.fernet_key")"
  export AIRFLOW__CORE__FERNET_KEY
fi
unset -f _secret
