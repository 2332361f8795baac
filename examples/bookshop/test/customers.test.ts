import { describe, expect, it } from 'vitest';
import { testApp } from './support/app.js';

describe('customers', () => {
  it('signs up and logs in', async () => {
    const { app } = await testApp();
    const signUp = await app.inject({ method: 'POST', url: '/api/customers', payload: { email: 'a@example.com', name: 'A', password: 'long enough pw' } });
    expect(signUp.statusCode).toBe(201);
    const login = await app.inject({ method: 'POST', url: '/api/customers/login', payload: { email: 'a@example.com', password: 'long enough pw' } });
    expect(login.json()).toHaveProperty('token');
  });

  it('refuses a wrong password', async () => {
    const { app } = await testApp();
    await app.inject({ method: 'POST', url: '/api/customers', payload: { email: 'b@example.com', name: 'B', password: 'long enough pw' } });
    const login = await app.inject({ method: 'POST', url: '/api/customers/login', payload: { email: 'b@example.com', password: 'nope' } });
    expect(login.statusCode).toBe(401);
  });
});
