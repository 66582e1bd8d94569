/**
 * Everyday words the built-in planner understands beyond the model's own names and synonyms:
 * verbs of buying and selling, ranking adjectives, negations, concepts it must decline, and the
 * filler words a question may carry without meaning anything for the query. Every other content
 * word of a question must be matched to the catalog or named back to the user (see coverage.ts).
 */

/** Money verbs: "how much did we make", "what did acme pay", "which region brought in the most". */
export const MONEY_VERBS: ReadonlySet<string> = new Set(
  'paid pay pays paying earned earn earns earning made make makes making generated generate generates generating brought bring brings bringing pulled pull pulls pulling took take takes taking grossed gross grosses spent spend spends spending billed bill invoiced raked rake money cash revenues earnings grossing grossed'.split(' '),
);

/** Item verbs: "units purchased", "how many did we sell", "best-selling products". */
export const ITEM_VERBS: ReadonlySet<string> = new Set('purchased purchase purchases purchasing bought buy buys buying sold sell sells selling shipped ship ships moved'.split(' '));

/** Particles that belong to a money verb ("brought in", "pulled in", "raked in"). */
export const VERB_PARTICLES: ReadonlySet<string> = new Set(['in', 'out']);

/** Ranking adjectives, highest first. Hyphenated forms arrive as two words ("poorest selling"). */
export const HIGH_WORDS: ReadonlySet<string> = new Set('most highest best biggest largest top strongest leading greatest busiest maximum max popular'.split(' '));
export const LOW_WORDS: ReadonlySet<string> = new Set('least lowest fewest smallest worst bottom weakest poorest slowest quietest minimum min underperforming'.split(' '));

/**
 * Words that turn the values after them into exclusions, wherever they stand in the sentence:
 * "ignoring refunded orders", "all regions apart from APAC", "minus APAC", "other than web".
 */
export const NEGATIONS: ReadonlySet<string> = new Set('not excluding exclude excludes excluded except without non ignoring ignore ignored omit omitting minus apart besides but leave leaving drop dropping remove removing skip skipping sans no'.split(' '));
/** Words after a value that exclude it: "refunded excluded", "APAC left out". */
export const POSTFIX_NEGATIONS: ReadonlySet<string> = new Set(['excluded', 'removed', 'aside', 'out']);

/** Words that compare the values around them: "store compared with web", "EMEA vs APAC". */
export const COMPARE_WORDS: ReadonlySet<string> = new Set(['compare', 'compared', 'comparing', 'comparison', 'vs', 'versus', 'against']);

/** "What fraction of revenue comes from EMEA": the answer needs the total as its denominator. */
export const SHARE_WORDS: ReadonlySet<string> = new Set(['fraction', 'share', 'percentage', 'percent', 'proportion', 'portion', '%', 'pct']);

/** Averages named in words; matched to a measure whose title says "average" (see planner). */
export const AVERAGE_WORDS: ReadonlySet<string> = new Set(['average', 'avg', 'mean', 'typical']);

/** "busiest week", "quietest day": activity, measured by the dataset's count of rows. */
export const BUSY_WORDS: ReadonlySet<string> = new Set(['busiest', 'quietest', 'slowest', 'active', 'activity']);

/** Trend words: a series over time, by month unless a grain is named. */
export const TREND_WORDS: ReadonlySet<string> = new Set(['trend', 'trends', 'trending', 'trajectory', 'developed', 'evolved', 'changed', 'progressed', 'timeline', 'growth', 'grown', 'grew', 'history']);


/**
 * Leading conversational words that are not part of the question: "ok", "now", "so". "now" in
 * particular is not a date here ("now by channel").
 */
export const LEADING_FILLER = /^\s*(?:(?:ok(?:ay)?|now|so|alright|right|great|thanks|thank you|cool|hmm+|well|then|and then|also)[\s,.!]+)+/i;

/** Concepts no dataset can answer: predictions and plans. Named back, never answered. */
export const FORECAST = /\b(forecast\w*|predict\w*|projection\w*|projected|expected|expect|anticipated?|estimate[sd]?|will (?:we|be|it|they)|going to|next (?:day|week|month|quarter|year)|coming (?:week|month|quarter|year)s?|future|budget\w*|targets?|quotas?|goals?|plan(?:ned)?)\b/;

/** Modifiers that are never an organisation's name: unsupported ones are asked back, not read as a tenant. */
export const NOT_ORGANISATION: ReadonlySet<string> = new Set(
  (
    'net gross recurring new repeat returning average median mean daily weekly monthly yearly annual total overall cumulative running active inactive lost ' +
    'large big small huge tiny high low recent latest old major minor key important premium cheap expensive typical bad good loyal open closed ' +
    'online offline international domestic local global regional late early first last next previous zero none nothing'
  ).split(' '),
);

/** Explicit nouns for an organisation: a word right after one of them is a name ("the company globex"). */
export const ORGANISATION_NOUNS: ReadonlySet<string> = new Set(['company', 'organisation', 'organization', 'org', 'tenant', 'firm', 'client']);

/** Words that name an organisation: "globex's revenue", "the company globex". */
export const ORGANISATION_WORDS: ReadonlySet<string> = new Set(['company', 'companies', 'organisation', 'organization', 'org', 'tenant', 'client', 'customer', 'account', 'firm', 'business', 'corp', 'corporation', 'inc', 'ltd', 'llc', 'gmbh', 'plc']);

/**
 * Words that carry no meaning for the query. A word outside this list, the stop words and the
 * catalog's names is a content word the planner must use or name back.
 */
export const FILLER: ReadonlySet<string> = new Set(
  (
    'hi hey hello please pls thanks thank ok okay now so right well just quickly quick actually really exactly currently ' +
    'want wanna need know like see check curious wonder wondering interested looking tell give pull bring show display share ' +
    'let lets us our we me my i you your they their them he she it its is are was were be been am ' +
    'do does did doing done has have had having get got getting gotten go went going ' +
    'how much many what which who whom whose when where why whats hows ' +
    'figure figures number numbers stats statistics metrics metric info information details detail overview snapshot picture ' +
    'result results breakdown split table list chart graph visual visualise visualize ' +
    'period periods time times timeframe range window ' +
    'overall total totals grand combined altogether entire whole full ' +
    'each every any all some both either one ones ' +
    'please kindly can could would should may might must shall ' +
    'there here that this these those then than thing things stuff ' +
    'come comes coming came from to into onto of off on in at for with by per via ' +
    'up down out over under about around across within throughout during ' +
    'far yet still already again too also even ' +
    'the a an and or nor ' +
    'performed did doing look looks looked looking ' +
    'rank ranked ranking order ordered sort sorted ' +
    'counted count counts amount amounts ' +
    'happen happened ' +
    'been being become became ' +
    'say said ' +
    'side vs ' +
    'respectively performing performed other place placed placing including include includes included counting ' +
    'doing going trading through instead rather pie bar bars line lines donut column columns visualization visualisation'
  ).split(/\s+/),
);
