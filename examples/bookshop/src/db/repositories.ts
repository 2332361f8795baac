/**
 * The data access the services use. `createDrizzleRepositories` is the PostgreSQL implementation;
 * the tests use an in-memory one (test/support/memoryRepositories.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { books, cartItems, customers, orderItems, orders, payments } from './schema.js';

export type Book = typeof books.$inferSelect;
export type Customer = typeof customers.$inferSelect;
export type CartItem = typeof cartItems.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type OrderStatus = Order['status'];

export interface Repositories {
  books: {
    list(options: { limit: number; offset: number }): Promise<Book[]>;
    get(id: number): Promise<Book | undefined>;
    create(input: Omit<Book, 'id' | 'createdAt'>): Promise<Book>;
    adjustStock(id: number, delta: number): Promise<void>;
  };
  customers: {
    byEmail(email: string): Promise<Customer | undefined>;
    get(id: number): Promise<Customer | undefined>;
    create(input: { email: string; name: string; passwordHash: string }): Promise<Customer>;
  };
  carts: {
    items(customerId: number): Promise<CartItem[]>;
    add(customerId: number, bookId: number, quantity: number): Promise<CartItem>;
    clear(customerId: number): Promise<void>;
  };
  orders: {
    create(input: { customerId: number; totalCents: number; shippingAddress: string; items: Omit<OrderItem, 'id' | 'orderId'>[] }): Promise<Order>;
    get(id: number): Promise<(Order & { items: OrderItem[] }) | undefined>;
    forCustomer(customerId: number): Promise<Order[]>;
    setStatus(id: number, status: OrderStatus, at?: Date): Promise<Order>;
  };
  payments: {
    record(input: Omit<Payment, 'id' | 'createdAt'>): Promise<Payment>;
    forOrder(orderId: number): Promise<Payment[]>;
  };
}

export function createDrizzleRepositories(db: Db): Repositories {
  return {
    books: {
      list: ({ limit, offset }) => db.select().from(books).where(eq(books.published, true)).limit(limit).offset(offset),
      get: async (id) => (await db.select().from(books).where(eq(books.id, id)))[0],
      create: async (input) => (await db.insert(books).values(input).returning())[0]!,
      adjustStock: async (id, delta) => {
        const book = (await db.select().from(books).where(eq(books.id, id)))[0];
        if (book) await db.update(books).set({ stock: book.stock + delta }).where(eq(books.id, id));
      },
    },
    customers: {
      byEmail: async (email) => (await db.select().from(customers).where(eq(customers.email, email)))[0],
      get: async (id) => (await db.select().from(customers).where(eq(customers.id, id)))[0],
      create: async (input) => (await db.insert(customers).values(input).returning())[0]!,
    },
    carts: {
      items: (customerId) => db.select().from(cartItems).where(eq(cartItems.customerId, customerId)),
      add: async (customerId, bookId, quantity) => (await db.insert(cartItems).values({ customerId, bookId, quantity }).returning())[0]!,
      clear: async (customerId) => {
        await db.delete(cartItems).where(eq(cartItems.customerId, customerId));
      },
    },
    orders: {
      create: (input) =>
        db.transaction(async (tx) => {
          const order = (await tx.insert(orders).values({ customerId: input.customerId, totalCents: input.totalCents, shippingAddress: input.shippingAddress }).returning())[0]!;
          await tx.insert(orderItems).values(input.items.map((item) => ({ ...item, orderId: order.id })));
          return order;
        }),
      get: async (id) => {
        const order = (await db.select().from(orders).where(eq(orders.id, id)))[0];
        if (!order) return undefined;
        return { ...order, items: await db.select().from(orderItems).where(eq(orderItems.orderId, id)) };
      },
      forCustomer: (customerId) => db.select().from(orders).where(eq(orders.customerId, customerId)),
      setStatus: async (id, status, at) => {
        const patch = status === 'shipped' ? { status, shippedAt: at } : status === 'delivered' ? { status, deliveredAt: at } : { status };
        return (await db.update(orders).set(patch).where(and(eq(orders.id, id))).returning())[0]!;
      },
    },
    payments: {
      record: async (input) => (await db.insert(payments).values(input).returning())[0]!,
      forOrder: (orderId) => db.select().from(payments).where(eq(payments.orderId, orderId)),
    },
  };
}
