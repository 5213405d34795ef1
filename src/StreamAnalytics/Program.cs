using StreamAnalytics.Cli;

return await StreamAnalyticsCli.RunAsync(args).ConfigureAwait(false);
