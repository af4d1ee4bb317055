# mt serve in a container: the bundled model baked in and converted for CTranslate2 at build
# time, a non-root user, a health check on readiness. docs/guide/deploy.md explains the settings.
#   docker build -t mt .
#   docker run -p 8000:8000 -v mt-data:/data -e MT_API_KEYS=change-me mt
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY mt ./mt
# torch's CPU build: the default wheel carries CUDA libraries the service never uses
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install . \
    && rm -rf /src
# convert the bundled model now, as root, beside the installed package: the service user reads
# the conversion and never writes there
RUN python -c "from mt.service import Service; Service().translator"

RUN useradd --create-home --uid 10001 mt && mkdir /data && chown mt /data
USER mt
WORKDIR /data
VOLUME /data
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/v1/ready', timeout=4)"

# keys come from MT_API_KEYS (or --api-keys FILE mounted read-only); JSON logs for the collector
ENTRYPOINT ["mt", "serve", "--host", "0.0.0.0", "--port", "8000", "--db", "/data/results.db", \
            "--log-format", "json"]
