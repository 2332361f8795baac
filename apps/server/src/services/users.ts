/** Users: registration and password login. Emails are compared case-insensitively (stored lower-case). */
import type { User } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Queryable } from '../store/db';
import { users } from '../store/schema';
import { isUniqueViolation, iso } from './dto';
import { newId } from './ids';
import { hashPassword, verifyPassword } from './passwords';

export type UserRow = typeof users.$inferSelect;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function userDto(row: Pick<UserRow, 'id' | 'email' | 'name' | 'createdAt'>): User {
  return { id: row.id, email: row.email, name: row.name, created_at: iso(row.createdAt) };
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, normaliseEmail(email))).limit(1);
  return row;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function createUser(db: Queryable, input: { email: string; password: string; name: string }): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    const [row] = await db.insert(users).values({ id: newId.user(), email, name: input.name.trim(), passwordHash }).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('email_taken', `an account with the email ${email} already exists`);
    throw error;
  }
}

/** A hash of a random password: unknown emails still pay for one scrypt, so timing does not tell them apart. */
let decoyHash: Promise<string> | undefined;

/** The user for these credentials, or `invalid_credentials` without saying which part was wrong. */
export async function authenticate(db: Queryable, email: string, password: string): Promise<UserRow> {
  const row = await findUserByEmail(db, email);
  decoyHash ??= hashPassword(`decoy-${Math.random()}`);
  const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash));
  if (!row || !ok) throw new AppError('invalid_credentials', 'email or password is incorrect');
  return row;
}
