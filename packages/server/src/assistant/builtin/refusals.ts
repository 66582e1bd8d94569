/**
 * Questions the built-in planner declines outright, before any matching: SQL, write requests,
 * file access and attempts to talk to "the system". Declining is a clarification, not an error,
 * so the user learns what the assistant can do. Even without this guard nothing here could run:
 * a plan is only ever a semantic query, validated and secured like a client's.
 */
const SQL_OR_WRITE = /\b(select\s+[\s\S]*\bfrom\b|drop\s+(table|database|schema|view)|delete\s+from|insert\s+into|update\s+\w+\s+set|truncate\s+\w+|alter\s+(table|user|role)|grant\s+\w+|create\s+(table|user|role)|copy\s+\w+|attach\s+|pragma\s+)|;\s*--/i;
const WRITE_WORDS = /\b(delete|drop|update|insert|overwrite|wipe|erase|truncate)\b.*\b(rows?|orders?|tables?|records?|data|database|values?)\b/i;
const FILES = /(\/etc\/|\\windows\\|\.\.\/|\b(read|open|cat|load|show|print)\b.*\b(file|files|passwd|\.env|config(?:uration)?|secrets?|api keys?|environment variables?)\b|\b(read_csv|read_parquet|read_text|pg_read_file|lo_import)\b)/i;
const META = /\b(system prompt|your (instructions|prompt|rules|configuration)|ignore (all |any )?(previous|prior|above) (instructions|rules)|developer mode|jailbreak|you are now|act as)\b/i;
const IDENTITY = /\b(i am|i'm|im|as) (an? )?(admin|administrator|root|superuser|owner)\b|\b(other|another|all|every) (tenants?|customers?'? data|companies)\b|\bswitch (tenant|user|customer)\b|\bimpersonate\b/i;

export interface Refusal {
  question: string;
  options: string[];
}

const EXAMPLES = ['revenue by region last quarter', 'top 5 products by revenue this year', 'orders by month'];

/** @returns a clarification when the question asks for something outside answering from data. */
export function refusalFor(question: string): Refusal | undefined {
  if (SQL_OR_WRITE.test(question)) return { question: 'I answer questions in plain words about your data; I do not run SQL. What would you like to know?', options: EXAMPLES };
  if (WRITE_WORDS.test(question)) return { question: 'I can only read data you are allowed to see; I never change it. What would you like to know?', options: EXAMPLES };
  if (FILES.test(question)) return { question: 'I can only answer questions about the datasets in your catalog. What would you like to know?', options: EXAMPLES };
  if (META.test(question)) return { question: 'I can only answer questions about your data. What would you like to know?', options: EXAMPLES };
  if (IDENTITY.test(question)) return { question: 'I answer with the data your account may see, and that cannot be changed from a question. What would you like to know about it?', options: EXAMPLES };
  return undefined;
}
