// Starts GraphiQL on the page that `GET /graphql` serves (src/http/graphiql.rs). It is a file
// of its own, not an inline script, so that the page's Content-Security-Policy can allow
// scripts from 'self' only. The endpoints come from data attributes on #graphiql.
(function () {
  'use strict';

  var DEFAULT_QUERY = [
    '# jira-gateway: GraphQL over Jira Cloud.',
    '# Run with the play button or Ctrl-Enter.',
    '# Request headers go in the Headers tab.',
    '',
    'query Board {',
    '  issues(',
    '    jql: "project = DEMO ORDER BY key ASC"',
    '    first: 20',
    '  ) {',
    '    pageInfo { hasNextPage endCursor }',
    '    edges {',
    '      node {',
    '        key',
    '        summary',
    '        status { name category { key } }',
    '        assignee { displayName }',
    '        priority { name }',
    '        labels',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  var root = document.getElementById('graphiql');
  var endpoint = new URL(root.dataset.endpoint, window.location.href);
  var subscriptions = new URL(root.dataset.subscriptionEndpoint, window.location.href);
  subscriptions.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.toString(),
    subscriptionUrl: subscriptions.toString(),
  });

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: true,
      // Credentials pasted into the headers editor stay out of localStorage unless the
      // user turns persistence on in the settings dialog.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
