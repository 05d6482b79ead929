// The comparison peer of the distribute-ws benchmark suite (bench/run --scenarios peer): one node of a Socket.IO
// cluster whose nodes share a Redis through @socket.io/redis-adapter (default settings), doing what the distribute-ws
// scenarios ask of a distribute-ws node:
//
//   - a client connects with ?uid=U in the handshake query and is put in room U (its user);
//   - "send" {to, data}: to every connection of user `to`, on any node, as "message" {from, data};
//   - "broadcast" {data}: to every connection on every node (the sender too), as "message" {from, data}.
//
// No acks: the distribute-ws scenarios send without asking for one.
//
//   node server.js PORT [REDIS_PORT]     (or PORT / REDIS_PORT in the environment; Redis on 127.0.0.1, default 6379)
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const port = Number(process.argv[2] ?? process.env.PORT);
const redisPort = Number(process.argv[3] ?? process.env.REDIS_PORT ?? 6379);
if (!Number.isInteger(port) || !Number.isInteger(redisPort)) {
  console.error("usage: node server.js PORT [REDIS_PORT]");
  process.exit(2);
}

const pubClient = createClient({ url: `redis://127.0.0.1:${redisPort}` });
const subClient = pubClient.duplicate();
for (const client of [pubClient, subClient]) {
  client.on("error", (err) => console.error("redis:", err.message));
}
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = createServer();
const io = new Server(httpServer, { adapter: createAdapter(pubClient, subClient) });

io.use((socket, next) => {
  const uid = socket.handshake.query.uid;
  if (typeof uid !== "string" || uid === "") {
    return next(new Error("uid required"));
  }
  socket.data.uid = uid;
  next();
});

io.on("connection", (socket) => {
  const from = socket.data.uid;
  socket.join(from);
  socket.on("send", ({ to, data }) => io.to(to).emit("message", { from, data }));
  socket.on("broadcast", ({ data }) => io.emit("message", { from, data }));
});

httpServer.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}, Redis 127.0.0.1:${redisPort}`));
