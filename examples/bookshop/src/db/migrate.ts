import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { loadConfig } from '../config.js';
import { createDb } from './client.js';

const db = createDb(loadConfig().DATABASE_URL);
await migrate(db, { migrationsFolder: 'drizzle' });
process.exit(0);
