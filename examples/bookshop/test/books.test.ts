import { describe, expect, it } from 'vitest';
import { testApp } from './support/app.js';

describe('books', () => {
  it('lists published books', async () => {
    const { app, repos } = await testApp();
    await repos.books.create({ isbn: '9780000000001', title: 'Dune', authorId: 1, priceCents: 1200, stock: 3, published: true });
    const res = await app.inject({ method: 'GET', url: '/api/books' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(1);
  });

  it('answers 404 for an unknown book', async () => {
    const { app } = await testApp();
    const res = await app.inject({ method: 'GET', url: '/api/books/99' });
    expect(res.statusCode).toBe(404);
  });

  it('lets only staff add books', async () => {
    const { app } = await testApp();
    const res = await app.inject({ method: 'POST', url: '/api/books', payload: {} });
    expect(res.statusCode).toBe(401);
  });
});
