import { css } from "lit";

// One layout system: a grid whose content column is minmax(0, 1fr) and whose items may shrink
// (min-width: 0), so nothing inside can make the page wider than the viewport.
export const shell = css`
  :host {
    min-height: 100vh;
    background: var(--bg-soft);
  }
  .layout > * {
    min-width: 0;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem 1rem;
    padding: 0.7rem clamp(1rem, 3vw, 2rem);
    background: var(--bg);
    border-bottom: 1px solid var(--line);
  }
  .brand {
    display: inline-flex;
    align-items: center;
    gap: 0.55rem;
    font-weight: 700;
    color: var(--text);
    text-decoration: none;
  }
  .spacer {
    flex: 1;
  }
  .who {
    font-size: 0.9rem;
  }
  .langs {
    display: inline-flex;
    gap: 0.25rem;
  }
  button.lang {
    min-height: 2.25rem;
    padding: 0.2rem 0.6rem;
    font-size: 0.85rem;
    background: transparent;
    color: var(--text);
    border-color: var(--line);
  }
  button.lang[aria-pressed="true"] {
    background: var(--accent-soft);
    border-color: var(--accent);
  }
  .layout {
    display: grid;
    grid-template-columns: 14rem minmax(0, 1fr);
    gap: 0;
    max-width: 90rem;
    margin: 0 auto;
  }
  nav.side ul {
    list-style: none;
    margin: 0;
    padding: 1.25rem 0.75rem;
    display: grid;
    gap: 0.15rem;
    position: sticky;
    top: 0;
  }
  nav.side a {
    display: block;
    padding: 0.55rem 0.85rem;
    border-radius: 10px;
    color: var(--text);
    text-decoration: none;
    font-weight: 500;
  }
  nav.side a:hover {
    background: var(--accent-soft);
  }
  nav.side a[aria-current="page"] {
    background: var(--accent-soft);
    color: var(--accent-strong);
    font-weight: 700;
  }
  /* the phone menu's button: only below the breakpoint */
  .menu-toggle {
    display: none;
  }
  main {
    padding: 1.5rem clamp(1rem, 3vw, 2.25rem) 3rem;
    min-width: 0;
  }
  main:focus {
    outline: none;
  }
  main.solo {
    max-width: 34rem;
    margin: 0 auto;
    padding-top: clamp(1.5rem, 6vh, 4rem);
  }
  @media (max-width: 52rem) {
    .layout {
      grid-template-columns: minmax(0, 1fr);
    }
    /* a phone gets a menu: a button that opens the sections as a list below it */
    nav.side {
      padding: 0.6rem clamp(1rem, 3vw, 2rem);
      background: var(--bg);
      border-bottom: 1px solid var(--line);
    }
    .menu-toggle {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      width: 100%;
      justify-content: flex-start;
    }
    .menu-toggle .current {
      margin-left: auto;
      color: var(--muted);
      font-weight: 500;
    }
    nav.side ul {
      position: static;
      display: none;
      padding: 0.5rem 0 0.25rem;
    }
    nav.side ul.open {
      display: grid;
    }
    .who {
      display: none;
    }
  }
`;
