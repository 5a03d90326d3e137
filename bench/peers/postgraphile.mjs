// PostGraphile v5 over dxgraph's PostgreSQL tables: the GraphQL peer of bench/run.py.
//
// Environment: DATABASE_URL (postgres://…), PORT, SCHEMAS (comma-separated, default
// "public,bench_pg": bench_pg holds the search function the bench adds, see
// bench/peers/postgraphile.sql). Serves POST and GET /graphql.
// Connection filters (postgraphile-plugin-connection-filter) with relation filters on.
import "./node20.mjs";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const port = Number(process.env.PORT ?? 5678);
const schemas = (process.env.SCHEMAS ?? "public,bench_pg").split(",");

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  // every column filterable and orderable, as dxgraph's filters are (v5 limits both to
  // indexed columns by default; the bench measures the same queries, indexed or not)
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas,
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) },
    }),
  ],
  schema: {
    connectionFilterRelations: true,
  },
  grafserv: {
    port,
    host: "127.0.0.1",
    graphqlOverGET: true,
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
await serv.addTo(server);
server.listen(port, "127.0.0.1", () => {
  console.log(`postgraphile listening on 127.0.0.1:${port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    server.close();
    await pgl.release();
    process.exit(0);
  });
}
