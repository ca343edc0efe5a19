db = db.getSiblingDB('app');
db.createCollection('events', { capped: true, size: 1048576 });
