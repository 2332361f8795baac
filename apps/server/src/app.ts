/**
 * `buildApp(deps)`: every route, no globals, no listening. Tests call it in process (`inject`) and
 * `main.ts` listens. Route modules get an `AppContext` and own their lifecycle through hooks.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { EVENT_LIMITS } from '@specline/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { EventBus } from './bus/eventBus';
import type { Config } from './config';
import { createAuthHooks } from './http/auth';
import { answerFrameworkError, installErrorHandling } from './http/errors';
import { installInputBoundary } from './http/input';
import { installJsonBodyParser } from './http/jsonBody';
import { hardenLogger } from './http/logging';
import { createRateLimits, type RateLimits } from './http/rateLimits';
import { securityHeaders } from './http/securityHeaders';
import { createMemoryLimitStore, type LimitStore } from './limits/limitStore';
import type { SandboxProvider } from './launcher/provider';
import type { RunQueue } from './queue/runQueue';
import { createRunManager } from './launcher/runManager';
import { registerAuthRoutes } from './routes/auth';
import { registerEventRoutes } from './routes/events';
import { registerHealthRoutes } from './routes/health';
import { registerIngestRoutes } from './routes/ingest';
import { registerProjectRoutes } from './routes/projects';
import { registerSandboxRoutes } from './routes/sandboxes';
import { registerSearchRoutes } from './routes/search';
import { registerSpecCompatRoutes } from './routes/specCompat';
import { registerSpecChildRoutes } from './routes/specChildren';
import { registerSpecReviewRoutes } from './routes/specReview';
import { registerSpecRoutes } from './routes/specs';
import { registerStreamRoutes } from './routes/stream';
import { registerTicketRoutes } from './routes/tickets';
import { registerTicketWorkflowRoutes } from './routes/ticketWorkflow';
import { registerWebRoutes } from './routes/web';
import { registerWsRoutes } from './routes/ws';
import { registerWorkerRoutes } from './routes/workers';
import type { RunManager } from './services/runs';
import { secretBoxFor, type SecretBox } from './services/secretBox';
import type { TokenService } from './services/tokens';
import type { Database, Db } from './store/db';

export interface AppDeps {
  config: Config;
  database: Database;
  bus: EventBus;
  provider: SandboxProvider;
  tokens: TokenService;
  /** Seals stored secrets (project API keys); absent → from `SPECLINE_SECRET_KEY` or `<dataDir>/secret-key`. */
  secrets?: SecretBox;
  /** A pino logger; tests pass a silent one. The app logs through a child with the redaction list (http/logging.ts). */
  logger: Logger;
  /** Counters of the rate limits: Redis-backed when `REDIS_URL` is set (deps.ts); in process when absent. */
  limits?: LimitStore;
  /** The run queue (issue 11): present when `SPECLINE_RUNNER=queue` (deps.ts). */
  runQueue?: RunQueue;
}

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface AppContext extends AppDeps {
  db: Db;
  secrets: SecretBox;
  runs: RunManager;
  requireUser: ReturnType<typeof createAuthHooks>['requireUser'];
  requireSandbox: ReturnType<typeof createAuthHooks>['requireSandbox'];
  rateLimits: RateLimits;
}

/** Body limit: the 4 MiB batch limit plus room for the JSON around it. */
const BODY_LIMIT = EVENT_LIMITS.maxBatchBytes + 256 * 1024;

export async function buildApp(appDeps: AppDeps): Promise<{ app: App; context: AppContext }> {
  const secrets = appDeps.secrets ?? secretBoxFor(appDeps.config).box;
  const deps = { ...appDeps, secrets };
  const logger = hardenLogger(deps.logger);
  // Typed as Fastify's base logger so the instance type stays the plain `App` (pino's adds generics).
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    // A URL that is not valid UTF-8, a path parameter past the router's limit: answered as ErrorBody too.
    frameworkErrors: (error, _request, reply) => answerFrameworkError(error, reply as unknown as FastifyReply),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installInputBoundary(app);
  installJsonBodyParser(app);

  await app.register(fastifyCookie);
  // CSP, nosniff, Referrer-Policy, frame-ancestors 'none' / X-Frame-Options on every answer (app, API, docs).
  await app.register(fastifyHelmet, securityHeaders(deps.config));
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 1024 * 1024 },
    // Only stop accepting here: the stream hub's own preClose hook (streams/hubFor.ts) closes each
    // socket with a `closing` message (shutting_down) first; the plugin's default would close them bare.
    preClose(done) {
      this.websocketServer.close(() => undefined);
      done();
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Specline API', version: '1.0.0', description: 'Spec-driven development service. See docs/api.md.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'specline_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());

  const rateLimits = createRateLimits(deps.limits ?? createMemoryLimitStore(), logger, { registerPerIpPerHour: deps.config.registerPerIpPerHour });
  const auth = createAuthHooks(deps.database.db, deps.tokens, rateLimits);
  const context: AppContext = {
    ...deps,
    secrets,
    logger,
    db: deps.database.db,
    runs: createRunManager({ ...deps, logger }),
    requireUser: auth.requireUser,
    requireSandbox: auth.requireSandbox,
    rateLimits,
  };
  app.addHook('onClose', async () => {
    await context.runs.close();
  });

  registerHealthRoutes(app, context);
  registerAuthRoutes(app, context);
  registerProjectRoutes(app, context);
  registerTicketRoutes(app, context);
  registerTicketWorkflowRoutes(app, context);
  registerSpecRoutes(app, context);
  registerSpecChildRoutes(app, context);
  registerSpecCompatRoutes(app, context);
  registerSpecReviewRoutes(app, context);
  registerSandboxRoutes(app, context);
  registerSearchRoutes(app, context);
  registerIngestRoutes(app, context);
  registerEventRoutes(app, context);
  registerStreamRoutes(app, context);
  registerWsRoutes(app, context);
  registerWorkerRoutes(app, context);
  await registerWebRoutes(app, context);
  return { app, context };
}
