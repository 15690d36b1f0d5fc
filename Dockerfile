# Gatelab for a classroom: one container, gunicorn, CPU-only PyTorch, debug off.
#   docker build -t gatelab .
#   docker run -p 8050:8050 -v gatelab-cache:/data/cache gatelab
# The same image runs a Celery worker: REDIS_URL=... celery -A app:celery_app worker
ARG BASE=python:3.11-slim
FROM ${BASE}

# Where pip finds torch. The default takes PyTorch's CPU wheels (never a CUDA build).
# A machine with the CPU wheel on its own disk mounts that folder and passes
#   --build-arg TORCH_INDEX= --build-arg WHEELS=/wheels
# PIP_CERT names a CA bundle for pip where the registry needs one.
ARG TORCH_SPEC=torch==2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG WHEELS=
ARG PIP_CERT=

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH

RUN python3 -m venv /opt/venv \
 && pip install ${PIP_CERT:+--cert $PIP_CERT} ${WHEELS:+--find-links $WHEELS} \
        ${TORCH_INDEX:+--index-url $TORCH_INDEX --extra-index-url https://pypi.org/simple} "$TORCH_SPEC"

WORKDIR /app
COPY pyproject.toml README.md gunicorn.conf.py app.py cli.py ./
COPY data/ data/
COPY models/ models/
COPY components/ components/
COPY assets/ assets/
RUN pip install ${PIP_CERT:+--cert $PIP_CERT} -e ".[scale]" \
 && useradd --create-home --uid 10001 gatelab \
 && mkdir -p /data/cache && chown -R gatelab /data

USER gatelab
ENV GATELAB_CACHE_DIR=/data/cache GATELAB_PORT=8050
VOLUME /data/cache
EXPOSE 8050
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('GATELAB_PORT', '8050'), timeout=4)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
