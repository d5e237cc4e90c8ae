# Claimbot image: `docker build -t claimbot .` then
#   docker run -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… \
#              -e DATABASE_URL=postgresql+asyncpg://… -p 3000:3000 claimbot
# With SQLite (one replica only), mount a volume on /data: the database is /data/claimbot.db.
# The rules: -v "$PWD/claimbot.yaml:/config/claimbot.yaml:ro" -e CLAIMBOT_CONFIG=/config/claimbot.yaml

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY cards ./cards
COPY store ./store
RUN python -m venv /opt/claimbot \
    && /opt/claimbot/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/claimbot/bin/pip install --no-cache-dir .

FROM python:3.11-slim
# A fixed uid, so that a host folder mounted on /data can be given to it (chown 10001).
RUN useradd --system --uid 10001 --home-dir /data --create-home claimbot
COPY --from=build /opt/claimbot /opt/claimbot
ENV PATH="/opt/claimbot/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=sqlite+aiosqlite:////data/claimbot.db
USER claimbot
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4).status != 200)"
# SIGTERM (docker stop) shuts down gracefully: in-flight requests finish, the scheduler stops.
STOPSIGNAL SIGTERM
CMD ["claimbot"]
