import type { Repositories } from '../db/repositories.js';
import { AppError, conflict } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/password.js';

/** Customer accounts: sign-up and log-in. */
export class CustomerService {
  constructor(private readonly repos: Repositories) {}

  async register(email: string, name: string, password: string) {
    if (await this.repos.customers.byEmail(email)) throw conflict('Email already registered');
    const customer = await this.repos.customers.create({ email, name, passwordHash: await hashPassword(password) });
    return { id: customer.id, email: customer.email, name: customer.name };
  }

  async authenticate(email: string, password: string) {
    const customer = await this.repos.customers.byEmail(email);
    if (!customer || !(await verifyPassword(password, customer.passwordHash))) throw new AppError(401, 'invalid_credentials', 'Wrong email or password');
    return customer;
  }
}
