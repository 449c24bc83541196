"""Scrapy settings of the organwatch project: polite by default. Override per run with
`organwatch crawl -s NAME=VALUE` (or `scrapy crawl watch -s NAME=VALUE`)."""

BOT_NAME = "organwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who we are, and where a site owner reads why we came.
ORGANWATCH_CONTACT_URL = "https://github.com/organwatch/organwatch#for-site-owners"
USER_AGENT = f"organwatch/0.1 (+{ORGANWATCH_CONTACT_URL})"

# Politeness
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy's HTTP console, which runs code in the crawl's process: off, like telnet's
DNS_TIMEOUT = 20

# Budgets (the crawl command's --depth and --max-pages set the first two)
ORGANWATCH_MAX_DEPTH = 10  # links followed from a seed; 0 = the seeds only (Scrapy's DEPTH_LIMIT=0 means unlimited)
CLOSESPIDER_PAGECOUNT = 0
ORGANWATCH_DOMAIN_PAGE_CAP = 2000  # pages scheduled per registered domain per run
DEPTH_PRIORITY = 1  # breadth-first within the budgets
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
SCHEDULER = "crawler.frontier.FrontierScheduler"  # crash-safe with JOBDIR (--job); Scrapy's scheduler without

# Focus (crawler/focus.py): promising links first; off-site links within a budget (crawl --follow-offsite)
ORGANWATCH_FOCUS = True  # False: plain breadth-first order
SCHEDULER_PRIORITY_QUEUE = "crawler.frontier.FocusPriorityQueue"  # highest priority among sites with a free slot
ORGANWATCH_FOLLOW_OFFSITE = 0  # hops allowed outside the seeds' domains
ORGANWATCH_OFFSITE_PAGE_CAP = 100  # pages scheduled per domain reached off-site
ORGANWATCH_TARGETS = None  # file of URLs whose recall the crawl reports (default: pages flagged before)

# Traps (crawler/traps.py): pages per URL pattern, repeated path segments, URL length
ORGANWATCH_TRAP_PATTERN_CAP = 1000  # half the domain budget: listings of numbered ads (/ad/123) are real
ORGANWATCH_TRAP_SEGMENT_REPEATS = 3
ORGANWATCH_TRAP_URL_LENGTH = 500

# Safety: refuse private, loopback and link-local addresses (crawl --allow-private turns it off)
ORGANWATCH_ALLOW_PRIVATE = False
ORGANWATCH_ALLOWED_NETWORKS = []  # exceptions, e.g. ["10.20.0.0/16"] for an intranet you mean to crawl

# Reading pages (crawler/reading.py): decode, extract and analyse in this many processes (crawler/readers.py)
ORGANWATCH_READERS = None  # None: one per core; 0: in the crawl's own process
CONCURRENT_ITEMS = 16  # Scrapy starts this many tasks for every page's output (default 100); a page yields 1 item

# Where results go (crawl --db, --warc-dir)
ORGANWATCH_DB = "data/organwatch.db"
ORGANWATCH_WARC_DIR = "data/warc"
ORGANWATCH_WARC_MAX_BYTES = 100 * 1024 * 1024  # a new WARC file after this size
ORGANWATCH_PROGRESS_INTERVAL = 5.0  # seconds between progress lines

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateAddressGuard": 50,
    "crawler.middlewares.RefererHeader": 100,  # from the request's meta, set by the spider
    "crawler.middlewares.RetryAfter": 540,
    "crawler.distributed.SharedPoliteness": 900,  # with --redis: per-host delay shared by all workers
    "crawler.blocks.BlockReport": 940,  # 403 / 429 / CAPTCHA per host, retried answers too
    "crawler.middlewares.RedirectLoopGuard": 610,  # sees 3xx before Redirect (600)
    # Scrapy's, without the warning that its Referer middleware is off (RefererHeader does its work)
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.Redirect": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefresh": 580,
    "crawler.warc.WarcRecorder": 950,  # next to the downloader: sees bodies as sent
    # the spider keeps its own scope (registered domains, --follow-offsite): Scrapy's allowed_domains check is idle work
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "crawler.frontier.LinksFirst": 10,  # with JOBDIR: a page's links are saved before the page
    # the spider sets each link's depth, DEPTH_PRIORITY penalty and Referer itself: these two
    # middlewares' work on every output cost 3.8% of the crawl's process
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
}
ITEM_PIPELINES = {
    "crawler.liveness.LivenessPipeline": 700,  # distributed workers; a crawl that stores judges visits in its writer
    "crawler.pipelines.StorePipeline": 800,
    "crawler.distributed.RedisItems": 810,  # with --redis, in place of the store
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
    "crawler.distributed.IdleExit": 510,
    "crawler.capture_custody.CaptureCustody": 600,
    "crawler.watchdog.Watchdog": 700,
    "crawler.focus.FocusReport": 520,
}

# Distributed mode (crawl --redis URL sets ORGANWATCH_REDIS_URL and scrapy-redis's scheduler)
ORGANWATCH_REDIS_URL = ""
ORGANWATCH_SHARED_DELAY = None  # seconds between requests to one host:port across workers; None: DOWNLOAD_DELAY
ORGANWATCH_IDLE_EXIT = 30.0  # a worker stops after this many seconds without work

# Liveness and scheduled runs (crawler/liveness.py, crawler/watchdog.py)
ORGANWATCH_GONE_AFTER = 3  # consecutive failed visits before a page is "gone"
ORGANWATCH_WATCHDOG_MINUTES = 10  # crawl/recheck --watchdog: fail a run with no progress for this long; 0 = off
ORGANWATCH_WATCHDOG_GRACE = 30  # seconds the watchdog waits for a clean stop before ending the process

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
