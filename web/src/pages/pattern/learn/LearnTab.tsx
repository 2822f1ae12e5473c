/** The pattern's README. (Placeholder: rendered as preformatted text until the markdown view lands.) */
export const LearnTab = ({ markdown }: { markdown: string }) => <pre className="readme-raw">{markdown}</pre>;
