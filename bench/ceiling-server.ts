/**
 * The ceiling for ingest: a bare fastify route that only parses the Alertmanager body and writes
 * each alert as one row to SQLite (WAL, synchronous=NORMAL, like the agent), one transaction per
 * request. Nothing else: no validation, no routing, no delivery.
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const [dbPath, port] = [process.argv[2] as string, Number(process.argv[3])];
const db = new Database(dbPath);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
const insert = db.prepare<[string]>('INSERT INTO alerts (body) VALUES (?)');
const insertAll = db.transaction((alerts: unknown[]) => {
  for (const a of alerts) insert.run(JSON.stringify(a));
});
const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
app.post<{ Body: { alerts: unknown[] } }>('/api/v2/alerts', (request, reply) => {
  insertAll(request.body.alerts);
  void reply.send({ status: 200 });
});
await app.listen({ port, host: '127.0.0.1' });
console.log('ready');
