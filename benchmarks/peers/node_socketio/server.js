"use strict";
/**
 * Reference peer for `simulcast bench`: the benchmark's client pattern on stock Node.js
 * socket.io v4 (what a team would pick instead). Validation-free, in memory only; the
 * pattern and what it leaves out are in ../README.md.
 *
 *   node server.js --port 0 --rooms 100 [--console-hz 4] [--host 127.0.0.1] [--ping-interval 25]
 *
 * Prints the bound URL `http://HOST:PORT` as its first stdout line.
 */

const http = require("node:http");
const { parseArgs } = require("node:util");
const { Server } = require("socket.io");

const SESSION = "bench";
const ADMIN_TOKEN = "admin";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    rooms: { type: "string", default: "100" },
    "console-hz": { type: "string", default: "4" },
    "ping-interval": { type: "string", default: "25" },
  },
});
const consoleHz = Number(args["console-hz"]);
const roomCount = Number(args.rooms);
if (!(roomCount >= 1 && consoleHz > 0 && Number(args["ping-interval"]) > 0)) {
  process.stderr.write("error: --rooms must be >= 1, --console-hz and --ping-interval > 0\n");
  process.exit(1);
}

const rooms = [];
const roomsByCode = new Map();
const roomsByToken = new Map();
for (let i = 0; i < roomCount; i++) {
  const room = {
    name: `room-${i}`,
    present: 0,
    checked_in: 0,
    help_open: 0,
    help_total: 0,
    open: new Map(),
  };
  rooms.push(room);
  roomsByCode.set(`R${String(i).padStart(5, "0")}`, room);
  roomsByToken.set(`F${i}`, room);
}
const totals = { present: 0, checked_in: 0, help_open: 0, help_total: 0 };
const dirty = new Set();
let seq = 0;
let residents = 0;
let requests = 0;

function tile(room) {
  return {
    present: room.present,
    checked_in: room.checked_in,
    help_open: room.help_open,
    help_total: room.help_total,
  };
}

/** Wraps a handler as (data, ack): tolerates a missing payload or a missing ack callback. */
function action(handle) {
  return (...received) => {
    const ack = typeof received[received.length - 1] === "function" ? received.pop() : null;
    const data = received[0] !== null && typeof received[0] === "object" ? received[0] : {};
    const answer = handle(data);
    if (ack) ack(answer);
  };
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  path: "/socket.io/",
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval: Number(args["ping-interval"]) * 1000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
});
const residentNs = io.of("/resident");
const roomNs = io.of("/room");
const consoleNs = io.of("/console");

residentNs.use((socket, next) => {
  const room = roomsByCode.get(socket.handshake.auth?.code);
  if (!room) return next(new Error("unknown join code"));
  socket.data.room = room;
  socket.data.residentId = null;
  next();
});

residentNs.on("connection", (socket) => {
  const room = socket.data.room;
  socket.emit("snapshot", { kind: "resident", room: room.name, seq });

  socket.on(
    "checkin",
    action((data) => {
      const residentId = `r${++residents}`;
      socket.data.residentId = residentId;
      room.present++;
      room.checked_in++;
      totals.present++;
      totals.checked_in++;
      dirty.add(room);
      roomNs.to(room.name).emit("resident_checked_in", {
        session_id: SESSION,
        seq: ++seq,
        at: new Date().toISOString(),
        resident_id: residentId,
        room: room.name,
        name: data.name ?? null,
      });
      return {
        ok: true,
        data: { resident_id: residentId, resident_token: `R.${SESSION}.${residentId}` },
      };
    }),
  );

  socket.on(
    "help",
    action((data) => {
      const at = new Date().toISOString();
      const request = {
        id: `h${++requests}`,
        room: room.name,
        kind: data.kind ?? null,
        seat: data.seat ?? null,
        text: data.text ?? null,
        state: "open",
        created_at: at,
        updated_at: null,
        answer: null,
      };
      room.open.set(request.id, request);
      room.help_open++;
      room.help_total++;
      totals.help_open++;
      totals.help_total++;
      dirty.add(room);
      roomNs.to(room.name).emit("help_requested", {
        session_id: SESSION,
        seq: ++seq,
        at,
        request_id: request.id,
        resident_id: socket.data.residentId,
        room: room.name,
        kind: request.kind,
        seat: request.seat,
        text: request.text,
        request,
      });
      return {
        ok: true,
        data: {
          id: request.id,
          room: room.name,
          kind: request.kind,
          seat: request.seat,
          text: request.text,
          state: "open",
        },
      };
    }),
  );

  socket.on(
    "cancel_help",
    action((data) => {
      const request = room.open.get(data.request_id);
      if (!request) {
        return {
          ok: false,
          error: { code: "not_found", message: `no open help request ${data.request_id}` },
        };
      }
      room.open.delete(request.id);
      const at = new Date().toISOString();
      const cancelled = { ...request, state: "cancelled", updated_at: at };
      room.help_open--;
      totals.help_open--;
      dirty.add(room);
      roomNs.to(room.name).emit("help_cancelled", {
        session_id: SESSION,
        seq: ++seq,
        at,
        request_id: request.id,
        room: room.name,
        request: cancelled,
      });
      return { ok: true, data: cancelled };
    }),
  );
});

roomNs.use((socket, next) => {
  const room = roomsByToken.get(socket.handshake.auth?.token);
  if (!room) return next(new Error("unknown facilitator token"));
  socket.data.room = room;
  next();
});

roomNs.on("connection", (socket) => {
  const room = socket.data.room;
  socket.join(room.name);
  socket.emit("snapshot", { kind: "facilitator", room: { site: room.name }, seq });
});

consoleNs.use((socket, next) => {
  if (socket.handshake.auth?.token !== ADMIN_TOKEN) return next(new Error("bad admin token"));
  next();
});

consoleNs.on("connection", (socket) => {
  const tiles = {};
  for (const room of rooms) tiles[room.name] = tile(room);
  socket.emit("snapshot", {
    kind: "console",
    session_id: SESSION,
    seq,
    rooms: tiles,
    totals: { ...totals },
  });
});

/** One coalesced `console_update` per tick, only when a room changed since the last one. */
setInterval(() => {
  if (dirty.size === 0) return;
  const changed = {};
  for (const room of dirty) changed[room.name] = tile(room);
  dirty.clear();
  consoleNs.emit("console_update", {
    session_id: SESSION,
    seq,
    at: new Date().toISOString(),
    rooms: changed,
    totals: { ...totals },
  });
}, 1000 / consoleHz);

httpServer.listen(Number(args.port), args.host, () => {
  process.stdout.write(`http://${args.host}:${httpServer.address().port}\n`);
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
