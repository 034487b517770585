# Cowbell: multi-stage build on the current Node LTS (26, LTS since October 2026; better-sqlite3 12 declares 26.x). better-sqlite3 is a native module: it is
# compiled in the build stage (python3, make, g++) on the same base image as the runtime stage.
FROM node:26-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY simulator simulator
COPY bench bench
COPY bin bin
RUN npm run build && npm prune --omit=dev

FROM node:26-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY bin bin
COPY config config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 1883 8080
# The shipped config listens on 127.0.0.1; in a container mount a config that listens on 0.0.0.0.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["start", "--config", "/app/config", "--db", "/app/data/cowbell.db"]
