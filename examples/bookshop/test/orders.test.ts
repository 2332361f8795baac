import { describe, expect, it } from 'vitest';
import { signUpAndLogIn, testApp } from './support/app.js';

async function withCart() {
  const ctx = await testApp();
  const book = await ctx.repos.books.create({ isbn: '9780000000002', title: 'Emma', authorId: 1, priceCents: 900, stock: 2, published: true });
  const headers = await signUpAndLogIn(ctx.app);
  await ctx.app.inject({ method: 'POST', url: '/api/cart/items', headers, payload: { bookId: book.id, quantity: 2 } });
  return { ...ctx, book, headers };
}

describe('orders', () => {
  it('checks out the cart and reserves stock', async () => {
    const { app, headers, book } = await withCart();
    const res = await app.inject({ method: 'POST', url: '/api/orders', headers, payload: { shippingAddress: '1 Main St' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'pending', totalCents: 1800 });
    expect(book.stock).toBe(0);
  });

  it('pays an order and records the payment', async () => {
    const { app, headers, payments } = await withCart();
    const order = (await app.inject({ method: 'POST', url: '/api/orders', headers, payload: { shippingAddress: '1 Main St' } })).json<{ id: number }>();
    const res = await app.inject({ method: 'POST', url: `/api/orders/${order.id}/pay`, headers, payload: { cardToken: 'tok_visa' } });
    expect(res.json()).toMatchObject({ status: 'paid' });
    expect(payments).toHaveLength(1);
  });

  it('answers 402 when the card is declined', async () => {
    const { app, headers } = await withCart();
    const order = (await app.inject({ method: 'POST', url: '/api/orders', headers, payload: { shippingAddress: '1 Main St' } })).json<{ id: number }>();
    const res = await app.inject({ method: 'POST', url: `/api/orders/${order.id}/pay`, headers, payload: { cardToken: 'tok_declined' } });
    expect(res.statusCode).toBe(402);
  });

  it('cancels a pending order and restores stock', async () => {
    const { app, headers, book } = await withCart();
    const order = (await app.inject({ method: 'POST', url: '/api/orders', headers, payload: { shippingAddress: '1 Main St' } })).json<{ id: number }>();
    const res = await app.inject({ method: 'POST', url: `/api/orders/${order.id}/cancel`, headers });
    expect(res.json()).toMatchObject({ status: 'cancelled' });
    expect(book.stock).toBe(2);
  });
});
