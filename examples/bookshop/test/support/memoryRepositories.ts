/** An in-memory `Repositories` for tests. */
import type { Book, CartItem, Customer, Order, OrderItem, Payment, Repositories } from '../../src/db/repositories.js';

export function createMemoryRepositories() {
  const books: Book[] = [];
  const customers: Customer[] = [];
  const cart: CartItem[] = [];
  const orders: Order[] = [];
  const orderItems: OrderItem[] = [];
  const payments: Payment[] = [];
  let next = 1;
  const id = () => next++;

  const repos: Repositories = {
    books: {
      list: async ({ limit, offset }) => books.filter((b) => b.published).slice(offset, offset + limit),
      get: async (bookId) => books.find((b) => b.id === bookId),
      create: async (input) => {
        const book = { ...input, id: id(), createdAt: new Date() };
        books.push(book);
        return book;
      },
      adjustStock: async (bookId, delta) => {
        const book = books.find((b) => b.id === bookId);
        if (book) book.stock += delta;
      },
    },
    customers: {
      byEmail: async (email) => customers.find((c) => c.email === email),
      get: async (customerId) => customers.find((c) => c.id === customerId),
      create: async (input) => {
        const customer = { ...input, id: id(), isAdmin: false, createdAt: new Date() };
        customers.push(customer);
        return customer;
      },
    },
    carts: {
      items: async (customerId) => cart.filter((c) => c.customerId === customerId),
      add: async (customerId, bookId, quantity) => {
        const item = { id: id(), customerId, bookId, quantity };
        cart.push(item);
        return item;
      },
      clear: async (customerId) => {
        for (let i = cart.length - 1; i >= 0; i--) if (cart[i]!.customerId === customerId) cart.splice(i, 1);
      },
    },
    orders: {
      create: async (input) => {
        const order: Order = { id: id(), customerId: input.customerId, totalCents: input.totalCents, shippingAddress: input.shippingAddress, status: 'pending', createdAt: new Date(), shippedAt: null, deliveredAt: null };
        orders.push(order);
        for (const item of input.items) orderItems.push({ ...item, id: id(), orderId: order.id });
        return order;
      },
      get: async (orderId) => {
        const order = orders.find((o) => o.id === orderId);
        return order && { ...order, items: orderItems.filter((i) => i.orderId === orderId) };
      },
      forCustomer: async (customerId) => orders.filter((o) => o.customerId === customerId),
      setStatus: async (orderId, status, at) => {
        const order = orders.find((o) => o.id === orderId)!;
        order.status = status;
        if (status === 'shipped') order.shippedAt = at ?? new Date();
        if (status === 'delivered') order.deliveredAt = at ?? new Date();
        return order;
      },
    },
    payments: {
      record: async (input) => {
        const payment = { ...input, id: id(), createdAt: new Date() };
        payments.push(payment);
        return payment;
      },
      forOrder: async (orderId) => payments.filter((p) => p.orderId === orderId),
    },
  };
  return { repos, books, customers, orders, payments };
}
