/** The bookshop's tables (Drizzle, PostgreSQL). Prices are integer cents. */
import { relations } from 'drizzle-orm';
import { boolean, integer, pgEnum, pgTable, serial, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';

export const orderStatus = pgEnum('order_status', ['pending', 'paid', 'shipped', 'delivered', 'cancelled']);
export const paymentStatus = pgEnum('payment_status', ['authorized', 'captured', 'failed']);

export const authors = pgTable('authors', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 200 }).notNull(),
  bio: text('bio'),
});

export const books = pgTable(
  'books',
  {
    id: serial('id').primaryKey(),
    isbn: varchar('isbn', { length: 13 }).notNull(),
    title: varchar('title', { length: 300 }).notNull(),
    authorId: integer('author_id').notNull().references(() => authors.id),
    priceCents: integer('price_cents').notNull(),
    stock: integer('stock').notNull().default(0),
    published: boolean('published').notNull().default(true),
    createdAt: timestamp('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('books_isbn_idx').on(t.isbn)],
);

export const customers = pgTable('customers', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 320 }).notNull().unique(),
  name: varchar('name', { length: 200 }).notNull(),
  passwordHash: text('password_hash').notNull(),
  isAdmin: boolean('is_admin').notNull().default(false),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});

export const cartItems = pgTable('cart_items', {
  id: serial('id').primaryKey(),
  customerId: integer('customer_id').notNull().references(() => customers.id),
  bookId: integer('book_id').notNull().references(() => books.id),
  quantity: integer('quantity').notNull(),
});

export const orders = pgTable('orders', {
  id: serial('id').primaryKey(),
  customerId: integer('customer_id').notNull().references(() => customers.id),
  status: orderStatus('status').notNull().default('pending'),
  totalCents: integer('total_cents').notNull(),
  shippingAddress: text('shipping_address').notNull(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
  shippedAt: timestamp('shipped_at'),
  deliveredAt: timestamp('delivered_at'),
});

export const orderItems = pgTable('order_items', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => orders.id),
  bookId: integer('book_id').notNull().references(() => books.id),
  quantity: integer('quantity').notNull(),
  unitPriceCents: integer('unit_price_cents').notNull(),
});

export const payments = pgTable('payments', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => orders.id),
  providerChargeId: varchar('provider_charge_id', { length: 100 }).notNull(),
  amountCents: integer('amount_cents').notNull(),
  status: paymentStatus('status').notNull(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});

export const booksRelations = relations(books, ({ one }) => ({ author: one(authors, { fields: [books.authorId], references: [authors.id] }) }));
export const ordersRelations = relations(orders, ({ many, one }) => ({
  items: many(orderItems),
  payments: many(payments),
  customer: one(customers, { fields: [orders.customerId], references: [customers.id] }),
}));
